import { readFileSync } from 'node:fs';
import { projectFile } from '../../helpers/project-dir.js';
import type { OpenApiDocument } from './openapi.js';

/**
 * Which operations a suite exercised, counted per operationId: requests sent, answers other than
 * 404 (a 404 may be the router or a handler that found nothing; an answer that is not 404 at least
 * got past the lookup of the path's ids) and successes (2xx or 304: the handler did its work). The suites compare the operations they exercised
 * with the committed document, `openapi/openapi.json`, so a route added without coverage fails.
 */
export const COMMITTED_DOCUMENT = projectFile('openapi/openapi.json');

const METHODS = ['get', 'post', 'patch', 'delete', 'put'] as const;

export function operationIdsOf(doc: OpenApiDocument): string[] {
  const ids: string[] = [];
  for (const item of Object.values(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as { operationId?: string } | undefined;
      if (operation !== undefined) ids.push(operation.operationId ?? `${method} (no operationId)`);
    }
  }
  return ids.sort();
}

/** The operationIds of `openapi/openapi.json` as committed (what integrators and CI's drift check see). */
export function committedOperationIds(): string[] {
  return operationIdsOf(JSON.parse(readFileSync(COMMITTED_DOCUMENT, 'utf8')) as OpenApiDocument);
}

export class OperationCoverage {
  private readonly counts = new Map<string, { requests: number; not404: number; succeeded: number }>();

  record(operationId: string, status: number): void {
    const entry = this.counts.get(operationId) ?? { requests: 0, not404: 0, succeeded: 0 };
    entry.requests++;
    if (status !== 404) entry.not404++;
    if ((status >= 200 && status < 300) || status === 304) entry.succeeded++;
    this.counts.set(operationId, entry);
  }

  exercised(): string[] {
    return [...this.counts.keys()].sort();
  }

  /** Operations whose every answer was a 404: their requests never reached a resource. */
  only404(): string[] {
    return [...this.counts].filter(([, c]) => c.not404 === 0).map(([id]) => id).sort();
  }

  /** A few lines, `operationId requests/non-404/2xx`, several operations a line, in document order. */
  lines(order: readonly string[], perLine = 6): string[] {
    const cells = order.map((id) => {
      const c = this.counts.get(id);
      return `${id} ${c?.requests ?? 0}/${c?.not404 ?? 0}/${c?.succeeded ?? 0}`;
    });
    const lines: string[] = [];
    for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(', '));
    return lines;
  }
}
