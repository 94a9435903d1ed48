import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook messages are signed the way Stripe signs them: HMAC-SHA256 over `timestamp.body`,
 * sent as `ESZL-Signature: t=<unix seconds>,v1=<hex>`. Receivers recompute it with their secret
 * and reject old timestamps, which stops replays.
 */
export const SIGNATURE_HEADER = 'ESZL-Signature';

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signature(secret, timestamp, body)}`;
}

/** What a receiver does: parse the header, check the age, compare in constant time. */
export function verifySignature(secret: string, header: string, body: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isSafeInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  if (parts.v1 === undefined || !/^[0-9a-f]{64}$/.test(parts.v1)) return false;
  const expected = Buffer.from(signature(secret, timestamp, body), 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A subscription's secret is derived from the service's signing key and the subscription id,
 * so no secret is stored anywhere: the database alone cannot forge a message.
 */
export function subscriptionSecret(signingKey: string, subscriptionId: string): string {
  return `whsec_${subscriptionSecretBytes(signingKey, subscriptionId).toString('base64url')}`;
}

/** The 32 bytes behind a subscription's secret, whichever spelling (eszl-v1 or Standard Webhooks) shows them. */
export function subscriptionSecretBytes(signingKey: string, subscriptionId: string): Buffer {
  return createHmac('sha256', signingKey).update(`webhook-subscription:${subscriptionId}`).digest();
}

/** Exponential back-off with full jitter: a random delay up to base x 2^(attempt-1), capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(baseMs / 2, Math.floor(random() * ceiling));
}
