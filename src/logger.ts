import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Secrets never reach the log: the Authorization header (API keys), any `key` field of a
 * response or body, and connection strings are redacted wherever they appear.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
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
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
