import { context, propagation } from '@opentelemetry/api';

/**
 * The W3C `traceparent` of the trace being recorded right now (inside a traced request), or
 * undefined: tracing off (no SDK registered, the API answers nothing) or outside any trace.
 *
 * Stored with an outbox event when it is emitted, it lets the delivery of that event carry the
 * `traceparent` header and CloudEvents attribute of the request that caused it, so a trace shows
 * a vote and the webhook deliveries it caused under one trace id.
 */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}
