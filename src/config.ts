import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { ProxyTrust } from './http/response-headers.js';
import proxyAddr from '@fastify/proxy-addr';
import { parseSigningKey } from './audit/signing-key.js';
import { DEFAULT_EVENT_SOURCE, eventSourceProblem, type CloudEventSettings } from './domain/cloudevents.js';
import { hostname } from 'node:os';
import { parseWitnessList } from './audit/witness-list.js';
import { DEFAULT_REMINDER_DAYS, parseReminderDays } from './domain/ratification-overview.js';

/**
 * The environment, validated once at boot. A bad value stops start-up with one line that
 * names the variable (see `loadConfig`).
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

const PostgresUrl = Type.String({ pattern: '^postgres(ql)?://[^\\s]+$', maxLength: 2048 });
const OPEN_DATA_MODES = ['public', 'auth', 'off'] as const;
export type OpenDataMode = (typeof OPEN_DATA_MODES)[number];
// gRPC would need a gRPC stack for one exporter; the two HTTP encodings cover every collector.
const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(PostgresUrl),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  ADMIN_API_KEY: Type.Optional(Type.String({ minLength: 32, maxLength: 512 })),
  LOG_LEVEL: Type.Unsafe<LogLevel>({ type: 'string', enum: [...LOG_LEVELS], default: 'info' }),
  CORS_ORIGINS: Type.String({ default: '' }),
  /** The address integrators use (behind a proxy, say): the served OpenAPI document's server URL. */
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#@]+(/[^\\s?#]*)?$', maxLength: 2048 })),
  /**
   * Whose X-Forwarded-Proto/-For to believe: `false`, `true` (any peer: only when nothing but the
   * proxy can reach the service), or comma-separated addresses, CIDR ranges or `loopback`,
   * `linklocal`, `uniquelocal`.
   */
  TRUST_PROXY: Type.String({ pattern: '^[0-9A-Za-z.:/]+( *, *[0-9A-Za-z.:/]+)*$', maxLength: 1024, default: 'false' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 1_048_576, default: 1_048_576 }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 0, default: 6000 }),
  AUTH_CACHE_TTL_MS: Type.Integer({ minimum: 0, maximum: 3_600_000, default: 60_000 }),
  /** Rendered decision views each instance keeps (checked against the database on every read); 0 switches the cache off. */
  DECISION_CACHE_ENTRIES: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10_000 }),
  /** Worker threads that render ratification letters (PDF, DOCX); 0 renders them on the event loop. */
  LETTER_RENDER_THREADS: Type.Integer({ minimum: 0, maximum: 16, default: 1 }),
  DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 15_000 }),
  DB_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 5_000 }),
  SEED_DEMO: Type.Boolean({ default: false }),
  WEBHOOK_SIGNING_KEY: Type.Optional(Type.String({ minLength: 32, maxLength: 512 })),
  WEBHOOK_ALLOWED_HOSTS: Type.String({ default: '' }),
  WEBHOOK_POLL_INTERVAL_MS: Type.Integer({ minimum: 10, default: 1_000 }),
  WEBHOOK_RETRY_WINDOW_MS: Type.Integer({ minimum: 1_000, default: 86_400_000 }),
  WEBHOOK_BACKOFF_BASE_MS: Type.Integer({ minimum: 1, default: 5_000 }),
  WEBHOOK_BACKOFF_MAX_MS: Type.Integer({ minimum: 1, default: 3_600_000 }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
  OVERDUE_CHECK_INTERVAL_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  /** Days before a ratification due date on which a college that has not voted is reminded (`ratification.due_soon`). */
  RATIFICATION_REMINDER_DAYS: Type.String({ default: '14,3', maxLength: 100 }),
  /** Unset: 1000 ms on PostgreSQL, off on the embedded database (whose queries run on the event loop). */
  MAX_EVENT_LOOP_DELAY_MS: Type.Optional(Type.Integer({ minimum: 0 })),
  MAX_HEAP_USED_BYTES: Type.Integer({ minimum: 0, default: 1_500_000_000 }),
  /** Ed25519 private key (PKCS#8 PEM, or the path of a file holding it) that signs audit checkpoints; generated into DATA_DIR when embedded. */
  AUDIT_SIGNING_KEY: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
  /** First line of every checkpoint and name of the signing key: no spaces, no '+'. */
  AUDIT_CHECKPOINT_ORIGIN: Type.String({ pattern: '^[^\\s+]{1,200}$', default: 'eszl-decisions/audit' }),
  AUDIT_CHECKPOINT_INTERVAL_S: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  /** Transparency log (issue 26): the checkpoints' origin line and the key's name (signed with AUDIT_SIGNING_KEY). */
  AUDIT_LOG_ORIGIN: Type.String({ pattern: '^[^\\s+]{1,200}$', default: 'eszl-decisions/log' }),
  /** Witnesses of the log: comma-separated `<vkey>@<submission URL prefix>`, the vkey of type 0x04. */
  AUDIT_LOG_WITNESSES: Type.String({ maxLength: 20_000, default: '' }),
  /** Witnesses that must cosign a checkpoint before it is served; unset: a majority of those configured. */
  AUDIT_LOG_WITNESS_QUORUM: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  /** How long one submission to a witness may take before it counts as failed. */
  AUDIT_LOG_WITNESS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 5_000 }),
  /** Open data (360Giving, vote events): `public` without a key, `auth` with any key, `off` answers 404. */
  OPEN_DATA: Type.Unsafe<OpenDataMode>({ type: 'string', enum: [...OPEN_DATA_MODES], default: 'public' }),
  /** The `source` of every CloudEvent: a URN in the nld namespace (checked in loadConfig). */
  EVENT_SOURCE: Type.String({ minLength: 1, default: DEFAULT_EVENT_SOURCE }),
  /** Set: a second listener on METRICS_HOST serves GET /metrics (Prometheus text format, no authentication); unset: none. */
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  METRICS_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** Set: traces go to this OTLP/HTTP collector (the other standard OTEL_* variables apply); unset: no tracing SDK is loaded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048 })),
  OTEL_EXPORTER_OTLP_PROTOCOL: Type.Unsafe<OtlpProtocol>({ type: 'string', enum: [...OTLP_PROTOCOLS], default: 'http/protobuf' }),
  OTEL_SERVICE_NAME: Type.String({ minLength: 1, maxLength: 200, default: 'eszl-decisions' }),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const variableNames = Object.keys(ConfigSchema.properties) as (keyof Config)[];

/** Reads the known variables from `env`, applies defaults and conversions, and validates them. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const name of variableNames) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const errors = Value.Errors(ConfigSchema, converted);
  const first = errors[0];
  if (first !== undefined) {
    const variable = first.instancePath.replace(/^\//, '').split('/')[0] || 'environment';
    const secret = ['ADMIN_API_KEY', 'DATABASE_URL', 'WEBHOOK_SIGNING_KEY', 'AUDIT_SIGNING_KEY'].includes(variable);
    const shown = secret ? '(value hidden)' : JSON.stringify(raw[variable]);
    throw new ConfigError(`Invalid configuration: ${variable} ${first.message} ${shown}`.trim());
  }
  const config = converted as Config;
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT !== 0 && config.METRICS_PORT === config.PORT) {
    throw new ConfigError(`Invalid configuration: METRICS_PORT must differ from PORT (both ${config.PORT}): the metrics listener is a separate one`);
  }
  try {
    proxyTrust(config);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: TRUST_PROXY ${(error as Error).message} ${JSON.stringify(config.TRUST_PROXY)}`);
  }
  if (config.AUDIT_SIGNING_KEY !== undefined) {
    try {
      parseSigningKey(config.AUDIT_SIGNING_KEY);
    } catch (error) {
      throw new ConfigError(`Invalid configuration: AUDIT_SIGNING_KEY ${(error as Error).message} (value hidden)`);
    }
  }
  const eventSource = eventSourceProblem(config.EVENT_SOURCE);
  if (eventSource !== undefined) throw new ConfigError(`Invalid configuration: EVENT_SOURCE ${eventSource} ${JSON.stringify(config.EVENT_SOURCE)}`);
  let witnesses: number;
  try {
    witnesses = parseWitnessList(config.AUDIT_LOG_WITNESSES).length;
  } catch (error) {
    throw new ConfigError(`Invalid configuration: AUDIT_LOG_WITNESSES ${(error as Error).message}`);
  }
  if ((config.AUDIT_LOG_WITNESS_QUORUM ?? 0) > witnesses) {
    throw new ConfigError(`Invalid configuration: AUDIT_LOG_WITNESS_QUORUM ${config.AUDIT_LOG_WITNESS_QUORUM} is more than the ${witnesses} witnesses of AUDIT_LOG_WITNESSES`);
  }
  const reminderDays = parseReminderDays(config.RATIFICATION_REMINDER_DAYS);
  if (!Array.isArray(reminderDays)) {
    throw new ConfigError(`Invalid configuration: RATIFICATION_REMINDER_DAYS ${reminderDays.error}: ${JSON.stringify(config.RATIFICATION_REMINDER_DAYS)} (expected days before the due date, e.g. 14,3)`);
  }
  return config;
}

/** RATIFICATION_REMINDER_DAYS as numbers, largest first (validated by `loadConfig`). */
export function ratificationReminderDays(config: Config): number[] {
  const days = parseReminderDays(config.RATIFICATION_REMINDER_DAYS);
  return Array.isArray(days) ? days : [...DEFAULT_REMINDER_DAYS];
}

/**
 * The absolute base of the URLs the service writes into what it sends (a CloudEvent's
 * `dataschema`): PUBLIC_BASE_URL, else this machine's name and port.
 */
export function serviceBaseUrl(config: Config): string {
  return publicBaseUrl(config) ?? `http://${hostname()}:${config.PORT}`;
}

/** EVENT_SOURCE and the service's addresses, for every CloudEvent the service writes (deliveries and the event feed alike). */
export function cloudEventSettings(config: Config): CloudEventSettings {
  return { source: config.EVENT_SOURCE, baseUrl: serviceBaseUrl(config), publicBaseUrl: publicBaseUrl(config) };
}

export function webhookAllowedHosts(config: Config): string[] {
  return config.WEBHOOK_ALLOWED_HOSTS.split(',')
    .map((host) => host.trim().toLowerCase().replace(/^\[|\]$/g, ''))
    .filter((host) => host.length > 0);
}

export function corsOrigins(config: Config): string[] {
  return config.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
}

/** The service's public address without a trailing slash, or undefined (the document stays relative). */
export function publicBaseUrl(config: Config): string | undefined {
  return config.PUBLIC_BASE_URL?.replace(/\/+$/, '');
}

/** Whether a peer's X-Forwarded-* headers are believed: Fastify's `trustProxy`, and the HTTPS test of the response headers. */

export function proxyTrust(config: Config): ProxyTrust {
  const value = config.TRUST_PROXY.trim();
  if (value === 'true' || value === 'false') {
    const trusted = value === 'true';
    return () => trusted;
  }
  return proxyAddr.compile(value.split(',').map((entry) => entry.trim()));
}
