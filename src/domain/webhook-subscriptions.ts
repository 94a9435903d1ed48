/**
 * What a webhook subscription can be, beyond its filters: the format of its deliveries, why it
 * ended, and the rate its receiver allows.
 */
export const WEBHOOK_FORMATS = ['eszl-v1', 'cloudevents'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];
/** Every subscription of the first two rounds, and every one created without a format. */
export const DEFAULT_WEBHOOK_FORMAT: WebhookFormat = 'eszl-v1';

/** `gone`: the receiver answered 410 Gone (CloudEvents HTTP Web Hooks 2.2, Standard Webhooks). */
export const SUBSCRIPTION_END_REASONS = ['gone'] as const;
export type SubscriptionEndReason = (typeof SUBSCRIPTION_END_REASONS)[number];

/** The most characters of the `authorization` a receiver asks to be sent. */
export const AUTHORIZATION_MAX_LENGTH = 1_000;

/**
 * The least time between two requests to a receiver that allows `allowedRate` per minute:
 * requests this far apart never make more than `allowedRate` in any minute.
 */
export function rateSpacingMs(allowedRate: number): number {
  if (!Number.isSafeInteger(allowedRate) || allowedRate < 1) throw new RangeError(`an allowed rate is a positive integer, not ${allowedRate}`);
  return Math.ceil(60_000 / allowedRate);
}
