import { hostname } from 'node:os';
import { DomainError } from '../domain/errors.js';
import { withTimeout } from '../db/timeout.js';
import { assertCallbackAllowed } from './callback-url.js';

/**
 * The abuse-protection handshake of CloudEvents HTTP 1.1 Web Hooks, section 4, run before a
 * `cloudevents` subscription is stored: `OPTIONS <callbackUrl>` with `WebHook-Request-Origin`.
 * The receiver agrees only by answering 2xx with `WebHook-Allowed-Origin` equal to that origin
 * or `*` (a status alone is no consent: section 4.2); `WebHook-Allowed-Rate` is the most it
 * takes per minute. The callback URL passes the same address checks as a delivery first.
 */
export type HandshakeResult =
  | { ok: true; /** Requests per minute; null: no limit (`*`, or none given). */ allowedRate: number | null }
  | { ok: false; /** What came back, for the 422's detail. */ answer: string };

export interface HandshakeOptions {
  allowedHosts: readonly string[];
  timeoutMs: number;
}

/** `WebHook-Request-Origin`: the host of PUBLIC_BASE_URL, else this machine's name. */
export function webhookRequestOrigin(publicBaseUrl: string | undefined): string {
  return publicBaseUrl === undefined ? hostname() : new URL(publicBaseUrl).hostname;
}

/** `*` or absent: no limit; a positive integer: requests per minute; anything else: undefined. */
export function parseAllowedRate(value: string | null): number | null | undefined {
  if (value === null || value.trim() === '*') return null;
  const trimmed = value.trim();
  if (!/^[1-9]\d{0,8}$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

export async function webhookHandshake(callbackUrl: string, origin: string, options: HandshakeOptions): Promise<HandshakeResult> {
  const { allowedHosts, timeoutMs } = options;
  try {
    await withTimeout(assertCallbackAllowed(callbackUrl, allowedHosts), timeoutMs, `no address for the host within ${timeoutMs} ms`);
  } catch (error) {
    // A refused address is invalid input (400); a name server that does not answer is the handshake's failure.
    if (error instanceof DomainError) throw error;
    return { ok: false, answer: (error as Error).message };
  }
  let response: Response;
  try {
    response = await fetch(callbackUrl, {
      method: 'OPTIONS',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'WebHook-Request-Origin': origin, 'User-Agent': 'eszl-decisions-webhooks/1' },
    });
  } catch (cause) {
    const reason = cause instanceof Error && cause.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeFailure(cause);
    return { ok: false, answer: reason };
  }
  await response.body?.cancel().catch(() => undefined);
  const allowedOrigin = response.headers.get('webhook-allowed-origin');
  const rateHeader = response.headers.get('webhook-allowed-rate');
  const shown = `${response.status}${allowedOrigin === null ? ' without WebHook-Allowed-Origin' : ` with WebHook-Allowed-Origin: ${allowedOrigin.slice(0, 200)}`}`;
  if (response.status < 200 || response.status > 299) return { ok: false, answer: shown };
  if (allowedOrigin === null || (allowedOrigin.trim() !== '*' && allowedOrigin.trim().toLowerCase() !== origin.toLowerCase())) {
    return { ok: false, answer: `${shown} (expected ${origin} or *)` };
  }
  const allowedRate = parseAllowedRate(rateHeader);
  if (allowedRate === undefined) {
    return { ok: false, answer: `${shown} and WebHook-Allowed-Rate: ${rateHeader!.slice(0, 50)}, which is neither * nor a positive integer` };
  }
  return { ok: true, allowedRate };
}

function describeFailure(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return inner?.code ?? inner?.message ?? (cause instanceof Error ? cause.message : 'the request failed');
}

/** The 422 a create answers when the receiver did not agree; nothing is stored. */
export function handshakeFailed(callbackUrl: string, origin: string, answer: string): DomainError {
  return new DomainError(
    'WEBHOOK_HANDSHAKE_FAILED',
    `OPTIONS ${callbackUrl} with WebHook-Request-Origin: ${origin} was answered ${answer}; the receiver must answer 2xx with WebHook-Allowed-Origin: ${origin} (or *).`,
    [{ path: '/callbackUrl', message: `the handshake was answered ${answer}` }],
  );
}
