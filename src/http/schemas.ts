import { Type, type TSchema } from 'typebox';
import { ERROR_CATALOGUE, type ErrorCode } from '../domain/errors.js';
import { CentsAmount, Nullable, Uuid } from '../domain/schema-types.js';

export { CalendarDate, CentsAmount, Nullable, Ref, StringEnum, Text, Timestamp, Uuid } from '../domain/schema-types.js';

/**
 * Building blocks shared by every route schema. Request schemas are inline (validated by Ajv);
 * response schemas reference named components so the OpenAPI document stays readable.
 */
export const API_VERSION = '1.0.0';

export const Cents = CentsAmount({ minimum: 1, maximum: 1_000_000_000_000, description: 'Amount in euro cents' });


/**
 * An open set of codes: a plain string whose known values are listed in `x-extensible-enum`
 * (Zalando's convention) and in the description, so a client generated today still reads a
 * code that a later release adds.
 */
export function OpenCodes(codes: readonly string[], description: string) {
  return Type.Unsafe<ErrorCode>(Type.String({ description: `${description}. Known codes: ${codes.join(', ')}; more may be added.`, 'x-extensible-enum': [...codes] }));
}

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI reference identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: OpenCodes(Object.keys(ERROR_CATALOGUE) as ErrorCode[], 'Stable machine-readable error code; docs/errors.md says what each means and what to do'),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String(),
          message: Type.String(),
          code: Type.Optional(Type.String({ description: "When the answer holds several problems: the code of this entry's problem (the first problem's code is `code`)" })),
        }),
        { description: 'Every problem of the request, all at once, in the order the checks run' },
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

/** The query of a route that takes no query parameters: any parameter is unknown, so 400. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size, 1..200' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Opaque cursor from nextCursor' })),
};

/** `{ items, nextCursor }`; a named item schema is referenced, not copied. */
export function Page<T extends TSchema>(item: T, name: string) {
  const id = (item as { $id?: string }).$id;
  return Type.Object(
    {
      items: Type.Array(id === undefined ? item : Type.Ref(id)),
      nextCursor: Nullable(Type.String({ description: 'Cursor of the next page; null on the last page' })),
    },
    { $id: name },
  );
}

const versionHeaders = {
  'API-Version': { type: 'string', description: 'Full semantic version of the API contract' },
  'X-Request-Id': { type: 'string', description: 'Identifier of this request, echoed when sent by the client' },
};

const replayHeaders = {
  ...versionHeaders,
  'Idempotent-Replayed': { type: 'string', enum: ['true'], description: 'Present when this is a stored response replayed for a repeated Idempotency-Key' },
};

const etagHeaders = {
  ...versionHeaders,
  ETag: { type: 'string', description: 'Strong entity tag of this representation; send it in If-Match to change the resource safely' },
};

/** Request header accepted by every POST: makes a retried request act at most once. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Unique key of this request (for example a UUID); a retry with the same key and body gets the stored response',
    }),
  ),
});

/** Request headers of state-changing requests on one resource: optimistic concurrency with If-Match. */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'ETag from a previous GET; 412 when the resource has changed' })),
});

export const IfNoneMatchHeaders = Type.Object({
  'if-none-match': Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'ETag(s) from a previous GET; 304 when unchanged' })),
});

const HEADERS_OF_KIND = { plain: versionHeaders, idempotent: replayHeaders, etag: etagHeaders, 'idempotent-etag': { ...replayHeaders, ...etagHeaders } };

/** `idempotent`: answers a POST under Idempotency-Key (replayed); `etag`: carries the representation's ETag (replayed with it). */
export function jsonResponse<T extends TSchema>(schema: T, description: string, kind: keyof typeof HEADERS_OF_KIND = 'plain') {
  return {
    description,
    headers: HEADERS_OF_KIND[kind],
    content: { 'application/json': { schema } },
  } as unknown as T;
}

/** A 2xx response in other media types than JSON alone (text, NDJSON, a choice by Accept). */
export function mediaResponse(description: string, content: Record<string, { schema: unknown }>, kind: 'plain' | 'etag' = 'plain') {
  return { description, headers: kind === 'etag' ? etagHeaders : versionHeaders, content } as unknown as ReturnType<typeof Type.Unknown>;
}

export function notModifiedResponse() {
  return { description: 'Not modified: the ETag still matches', type: 'null', headers: etagHeaders } as unknown as ReturnType<typeof Type.Null>;
}

export function noContentResponse(description: string) {
  return { description, type: 'null', headers: versionHeaders } as unknown as ReturnType<typeof Type.Null>;
}

const problemDescriptions: Record<number, string> = {
  400: 'Invalid input; every problem is listed in errors',
  401: 'Missing or unknown API key',
  403: 'The API key may not do this',
  404: 'Resource not found',
  406: 'No acceptable representation',
  409: 'Not allowed in the resource\'s current state',
  412: 'If-Match does not match the current ETag',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Idempotency-Key reused with a different request',
  429: 'Too many requests; see Retry-After',
  500: 'Internal error; the log has the detail under the request id',
  503: 'Service unavailable; see Retry-After',
};

export type ProblemStatus = 400 | 401 | 403 | 404 | 406 | 409 | 412 | 413 | 415 | 422 | 429 | 500 | 503;

/** How an operation's problem responses are documented; see `problems()`. */
export interface ProblemOptions {
  /**
   * The domain codes the operation raises (`[]`: none). Unset, every domain code of the declared
   * statuses is listed: a wider list than needed, never a missing code.
   */
  raises?: readonly ErrorCode[];
  /** The operation takes an Idempotency-Key: its 409 and 422 list the idempotency codes. */
  idempotent?: boolean;
}

const ALL_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The codes an operation with these options can answer with `status`, in catalogue order. */
export function problemCodes(status: number, options: ProblemOptions = {}): ErrorCode[] {
  return ALL_CODES.filter((code) => {
    const entry = ERROR_CATALOGUE[code];
    if (entry.status !== status) return false;
    if (entry.scope === 'request') return true;
    if (entry.scope === 'idempotency') return options.idempotent === true;
    return options.raises === undefined || options.raises.includes(code);
  });
}

function problemResponse(status: number, codes: readonly ErrorCode[]) {
  return {
    description: problemDescriptions[status] ?? 'Problem',
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            Type.Ref('Problem'),
            { type: 'object', properties: { code: OpenCodes(codes, 'The codes this operation answers with this status') } },
          ],
        },
      },
    },
  } as unknown as typeof Problem;
}

type ProblemResponses = Record<ProblemStatus, typeof Problem>;

function problemResponses(statuses: readonly number[], options: ProblemOptions): ProblemResponses {
  const all = new Set(statuses);
  for (const code of options.raises ?? []) all.add(ERROR_CATALOGUE[code].status);
  if (options.idempotent) for (const code of ALL_CODES) if (ERROR_CATALOGUE[code].scope === 'idempotency') all.add(ERROR_CATALOGUE[code].status);
  const entries = [...all].sort((a, b) => a - b).map((status) => {
    const codes = problemCodes(status, options);
    // A declared status that no code can fill is a mistake in the route, caught when the app is built.
    if (codes.length === 0) throw new Error(`status ${status} is declared, but no error code of the catalogue answers it here`);
    return [status, problemResponse(status, codes)] as const;
  });
  return Object.fromEntries(entries) as ProblemResponses;
}

const AUTHENTICATED_STATUSES = [400, 401, 403, 429, 500, 503] as const;
const PUBLIC_STATUSES = [429, 500, 503] as const;

/**
 * The problem+json responses of an authenticated route plus the route-specific ones, each with
 * the enum of the error codes the route can answer with that status (see `ProblemOptions`).
 * `problems(404)`, `problems({ raises: ['VOTE_ALREADY_CAST'], idempotent: true }, 404, 413, 415)`.
 */
export function problems(...specific: ProblemStatus[]): ProblemResponses;
export function problems(options: ProblemOptions, ...specific: ProblemStatus[]): ProblemResponses;
export function problems(...args: (ProblemOptions | ProblemStatus)[]): ProblemResponses {
  const [first, ...rest] = args;
  const options = typeof first === 'object' ? first : {};
  const specific = (typeof first === 'object' ? rest : args) as ProblemStatus[];
  return problemResponses([...AUTHENTICATED_STATUSES, ...specific], options);
}

/** Problem responses for routes that need no API key. */
export function publicProblems(...specific: ProblemStatus[]): ProblemResponses {
  return problemResponses([...PUBLIC_STATUSES, ...specific], { raises: [] });
}

/** The codes a route's schema documents for `status` (undefined: the status is not documented). */
export function documentedProblemCodes(responses: Record<string, unknown> | undefined, status: number): string[] | undefined {
  const response = responses?.[status] as
    | { content?: Record<string, { schema?: { allOf?: { properties?: { code?: { 'x-extensible-enum'?: string[] } } }[] } }> }
    | undefined;
  return response?.content?.['application/problem+json']?.schema?.allOf?.[1]?.properties?.code?.['x-extensible-enum'];
}

export const IdempotentIfMatchHeaders = Type.Object({ ...IdempotencyHeaders.properties, ...IfMatchHeaders.properties });
