import { trace } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger } from 'pino';

/**
 * Secrets never reach the log: the Authorization header (API keys), any `key` field of a
 * response or body, and connection strings are redacted wherever they appear.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'authorization',
  'headers.authorization',
  '*.authorization',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'adminApiKey',
  'ADMIN_API_KEY',
  '*.ADMIN_API_KEY',
  'DATABASE_URL',
  'WEBHOOK_SIGNING_KEY',
  '*.WEBHOOK_SIGNING_KEY',
  'AUDIT_SIGNING_KEY',
  '*.AUDIT_SIGNING_KEY',
  'secret',
  '*.secret',
  '*.DATABASE_URL',
  'databaseUrl',
  '*.databaseUrl',
  'connectionString',
  '*.connectionString',
];

/**
 * Properties of an error that carry the values of a query: its parameters (drizzle's
 * `DrizzleQueryError`, PGlite's errors), and PostgreSQL's `detail` (`Key (key_hash)=(...)`)
 * and `where` (`unnamed portal parameter $1 = '...'`). A parameter can be an API key's hash, a
 * webhook secret, personal data: none is ever logged. The SQL text, the SQLSTATE `code`, the
 * `constraint`, `table` and `column` stay, and say what failed.
 */
const QUERY_VALUE_PROPERTIES = new Set(['params', 'queryOptions', 'detail', 'where', 'parameters']);

/** What PostgreSQL says about a failed statement without repeating its values. */
const DATABASE_ERROR_FIELDS = ['code', 'severity', 'constraint', 'schema', 'table', 'column', 'dataType', 'routine'];

/**
 * An error's message without query values: drizzle appends `\nparams: <values>` to the SQL of a
 * failed query, and PostgreSQL ends some messages with the offending value
 * (`invalid input syntax for type uuid: "..."`).
 */
export function withoutQueryValues(message: string): string {
  const params = message.indexOf('\nparams: ');
  const text = params === -1 ? message : message.slice(0, params);
  return text.replace(/: ".*"$/s, ': "[redacted]"');
}

/** A copy of `error` (and of its causes and inner errors) to log: the same type, its query values left out. */
export function loggableError(error: Error, seen: Set<unknown> = new Set()): Error {
  seen.add(error);
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error & Record<string, unknown>;
  const inner = (value: unknown): unknown => (value instanceof Error ? (seen.has(value) ? undefined : loggableError(value, seen)) : value);
  for (const [key, value] of Object.entries(error)) {
    if (QUERY_VALUE_PROPERTIES.has(key) || key === 'cause') continue;
    copy[key] = Array.isArray(value) ? value.map(inner) : inner(value);
  }
  const message = withoutQueryValues(error.message);
  const stack = error.stack ?? '';
  const frames = stack.indexOf('\n    at ');
  Object.defineProperty(copy, 'message', { value: message, enumerable: false, writable: true });
  Object.defineProperty(copy, 'stack', { value: `${error.name}: ${message}${frames === -1 ? '' : stack.slice(frames)}`, enumerable: false, writable: true });
  // pino folds a cause into the message and stack only: what the database said about the failed
  // query (its SQLSTATE, constraint, table) is kept on the error logged.
  for (let cause = error.cause; cause instanceof Error && !seen.has(cause); cause = cause.cause) {
    for (const key of DATABASE_ERROR_FIELDS) {
      const value = (cause as unknown as Record<string, unknown>)[key];
      if (copy[key] === undefined && value !== undefined) copy[key] = value;
    }
  }
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) Object.defineProperty(copy, 'errors', { value: errors.map(inner), enumerable: false, writable: true });
  if (error.cause instanceof Error && !seen.has(error.cause)) {
    Object.defineProperty(copy, 'cause', { value: loggableError(error.cause, seen), enumerable: false, writable: true });
  } else if (error.cause !== undefined) {
    Object.defineProperty(copy, 'cause', { value: undefined, enumerable: false, writable: true });
  }
  return copy;
}

/** With tracing on, a line written inside a traced request names its trace and span, so logs and traces join up. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

const CHINDINGS = pino.symbols.chindingsSym;

/**
 * Fastify's logger of one request, bound to the request's id (`reqId`). pino runs every binding
 * of a child through the redaction, which looks at each key because of the `*.` paths: about 5 us
 * on each request here. The request id is the service's own (a UUID, or an X-Request-Id of
 * 1-128 characters of [A-Za-z0-9._:-]) and never a secret, so it is appended as JSON instead.
 * Anything else (other bindings, a route's own level or serializers) takes pino's way.
 */
export function requestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions, _request: unknown): FastifyBaseLogger {
  const keys = Object.keys(bindings);
  if (keys.length !== 1 || keys[0] !== 'reqId' || typeof bindings.reqId !== 'string' || Object.keys(options).length > 0) {
    return logger.child(bindings, options);
  }
  const child = logger.child({}) as FastifyBaseLogger & Record<symbol, string>;
  child[CHINDINGS] += `,"reqId":${JSON.stringify(bindings.reqId)}`;
  return child;
}

export function createLogger(level: string, destination?: DestinationStream, options: { traceIds?: boolean } = {}): Logger {
  return pino(
    {
      level,
      ...(options.traceIds === true && { mixin: traceFields }),
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        // Fastify's default request serializer has no headers; ours has them, redacted above.
        req: (request: { method: string; url: string; id: string; headers: Record<string, unknown>; ip?: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
          headers: request.headers,
          remoteAddress: request.ip,
        }),
        // Every error logged (`{ err }`) leaves its query values out, whoever logs it.
        err: (error: unknown) => pino.stdSerializers.err((error instanceof Error ? loggableError(error) : error) as Error),
      },
    },
    destination,
  );
}
