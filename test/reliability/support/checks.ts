import type { LightMyRequestResponse } from 'fastify';
import type { Operation } from './openapi.js';

/**
 * What every answer of the API must satisfy, whatever was sent: no 5xx, only statuses the
 * document declares for the operation, every error as RFC 9457 problem+json whose `status`
 * equals the HTTP status, no internals leaked, and the contract's headers.
 */
export type CheckName =
  | 'server-error'
  | 'undeclared-status'
  | 'problem-content-type'
  | 'problem-body'
  | 'problem-status-mismatch'
  | 'leak'
  | 'success-content-type'
  | 'missing-headers';

export interface Violation {
  check: CheckName;
  message: string;
}

/** Text that only the server's internals produce: stack frames, source paths, PostgreSQL messages. */
const LEAK_MARKERS: RegExp[] = [
  /\n\s+at\s/,
  /node_modules/,
  /\/src\/[\w/-]+\.(ts|js)/,
  /\bat [\w.<>]+ \(/,
  /syntax error at or near/i,
  /violates (unique|foreign key|check|not-null) constraint/i,
  /duplicate key value/i,
  /invalid input syntax for type/i,
  /out of range for type/i,
  /relation "[^"]+" does not exist/i,
  /current transaction is aborted/i,
  /\bdrizzle\b/i,
  /\bPGlite\b/i,
  /FST_ERR_/,
];

export function checkResponse(operation: Operation, res: LightMyRequestResponse): Violation[] {
  const violations: Violation[] = [];
  const status = res.statusCode;
  const contentType = String(res.headers['content-type'] ?? '');
  if (status >= 500) violations.push({ check: 'server-error', message: `answered ${status}` });
  const declared = operation.responses.get(status);
  if (declared === undefined) {
    violations.push({
      check: 'undeclared-status',
      message: `${status} is not among the declared ${[...operation.responses.keys()].join(', ')}`,
    });
  }
  if (res.headers['api-version'] === undefined || res.headers['x-request-id'] === undefined) {
    violations.push({ check: 'missing-headers', message: 'API-Version or X-Request-Id missing' });
  }
  if (status >= 400) {
    violations.push(...checkProblem(res));
  } else if (declared !== undefined && declared.length > 0 && status !== 304) {
    if (!declared.some((mediaType) => contentType.startsWith(mediaType))) {
      violations.push({ check: 'success-content-type', message: `content-type ${contentType} is not one of ${declared.join(', ')}` });
    }
  }
  return violations;
}

export function checkProblem(res: LightMyRequestResponse): Violation[] {
  const violations: Violation[] = [];
  const contentType = String(res.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/problem+json')) {
    violations.push({ check: 'problem-content-type', message: `error with content-type '${contentType}'` });
  }
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  if (body === undefined) {
    violations.push({ check: 'problem-body', message: 'error body is not a JSON object' });
    return violations;
  }
  const missing = ['type', 'title', 'detail', 'code'].filter((field) => typeof body[field] !== 'string' || body[field] === '');
  if (!Number.isInteger(body.status)) missing.push('status');
  if (missing.length > 0) violations.push({ check: 'problem-body', message: `problem lacks ${missing.join(', ')}` });
  if (Number.isInteger(body.status) && body.status !== res.statusCode) {
    violations.push({ check: 'problem-status-mismatch', message: `body status ${String(body.status)} != HTTP ${res.statusCode}` });
  }
  for (const marker of LEAK_MARKERS) {
    if (marker.test(res.body)) {
      violations.push({ check: 'leak', message: `error body matches ${String(marker)}` });
      break;
    }
  }
  return violations;
}

/** Groups violations by check, status and message, keeping a count, the operations and the first example. */
export class ViolationLog {
  readonly groups = new Map<string, { check: CheckName; count: number; operations: Set<string>; example: string }>();

  add(check: CheckName, status: number, message: string, operationId: string, example: () => string): void {
    const key = `${check} ${status} ${message}`;
    const group = this.groups.get(key);
    if (group) {
      group.count++;
      group.operations.add(operationId);
    } else {
      this.groups.set(key, { check, count: 1, operations: new Set([operationId]), example: example() });
    }
  }

  countFor(check: CheckName): number {
    let n = 0;
    for (const group of this.groups.values()) if (group.check === check) n += group.count;
    return n;
  }

  lines(check: CheckName): string[] {
    return [...this.groups]
      .filter(([, group]) => group.check === check)
      .map(([key, group]) => `${group.count}x ${key} in ${[...group.operations].join(', ')}\n    e.g. ${group.example}`);
  }
}

export function truncate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}...(${text.length} chars)`;
}
