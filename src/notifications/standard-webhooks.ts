import { createHmac } from 'node:crypto';
import { subscriptionSecretBytes } from './signing.js';

/**
 * Standard Webhooks 1.0 signing of `cloudevents` deliveries: `webhook-id`, `webhook-timestamp`
 * and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, the key being
 * the bytes that the secret's base64 after `whsec_` encodes. So a receiver verifies with the
 * Standard Webhooks library of its language.
 */
export const STANDARD_WEBHOOK_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * The secret of a `cloudevents` subscription in the Standard Webhooks form (`whsec_` + standard
 * base64): the same 32 bytes as the `eszl-v1` secret (derived, never stored), another spelling.
 */
export function standardWebhooksSecret(signingKey: string, subscriptionId: string): string {
  return `whsec_${subscriptionSecretBytes(signingKey, subscriptionId).toString('base64')}`;
}

/** The HMAC key a Standard Webhooks secret stands for (with or without the `whsec_` prefix). */
export function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new Error('a Standard Webhooks secret is base64 after whsec_');
  return Buffer.from(encoded, 'base64');
}

/** `v1,<base64>`: one symmetric signature of the message. */
export function standardWebhooksSignature(secret: string, messageId: string, timestamp: number, body: string): string {
  // The id and timestamp may not contain '.', or another split of the signed text would match.
  if (messageId.includes('.') || !Number.isSafeInteger(timestamp)) throw new Error('a message id without dots and an integer timestamp');
  const mac = createHmac('sha256', standardWebhooksKey(secret)).update(`${messageId}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

export function standardWebhooksHeaders(secret: string, messageId: string, timestamp: number, body: string): Record<(typeof STANDARD_WEBHOOK_HEADERS)[number], string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhooksSignature(secret, messageId, timestamp, body),
  };
}
