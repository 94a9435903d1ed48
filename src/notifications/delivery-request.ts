import { CLOUD_EVENTS_CONTENT_TYPE, toCloudEvent, type CloudEventSettings } from '../domain/cloudevents.js';
import type { EventType, ResourceType } from '../domain/events.js';
import type { WebhookFormat } from '../domain/webhook-subscriptions.js';
import { decryptAuthorization } from './receiver-authorization.js';
import { SIGNATURE_HEADER, signatureHeader, subscriptionSecret } from './signing.js';
import { standardWebhooksHeaders, standardWebhooksSecret } from './standard-webhooks.js';

/** A delivery as the dispatcher claims it: the subscription's side and the outbox event's. */
export interface DeliveryToSend {
  subscription_id: string;
  format: WebhookFormat;
  authorization_encrypted: string | null;
  /** The `eszl-v1` body as the outbox stored it. */
  payload: { id: string; occurredAt: string; data: unknown } & Record<string, unknown>;
  event_id: string;
  event_type: string;
  audit_seq: string | number;
  resource_type: string;
  resource_id: string;
  /** The W3C traceparent of the request that caused the event, when the service traced it. */
  traceparent: string | null;
}

export interface RequestSettings {
  signingKey: string;
  cloudEvents: CloudEventSettings;
  /** `WebHook-Request-Origin` of every `cloudevents` delivery (CloudEvents HTTP Web Hooks 4.1.2). */
  requestOrigin: string;
}

export const USER_AGENT = 'eszl-decisions-webhooks/1';

/**
 * The body and headers of one attempt. `eszl-v1` is exactly what the first two rounds sent
 * (the outbox body, `ESZL-Signature`); `cloudevents` is the CloudEvent in structured mode,
 * signed as Standard Webhooks, with the receiver's Authorization when it gave one.
 */
export function deliveryRequest(delivery: DeliveryToSend, settings: RequestSettings, timestamp: number): { body: string; headers: Record<string, string> } {
  const authorization =
    delivery.authorization_encrypted === null ? undefined : decryptAuthorization(settings.signingKey, delivery.subscription_id, delivery.authorization_encrypted);
  if (delivery.format === 'cloudevents') return cloudEventsRequest(delivery, settings, timestamp, authorization);
  const body = JSON.stringify(delivery.payload);
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': USER_AGENT,
      'ESZL-Event-Id': delivery.event_id,
      'ESZL-Event-Type': delivery.event_type,
      [SIGNATURE_HEADER]: signatureHeader(subscriptionSecret(settings.signingKey, delivery.subscription_id), timestamp, body),
      ...(authorization !== undefined && { Authorization: authorization }),
      ...traceHeader(delivery),
    },
  };
}

function cloudEventsRequest(delivery: DeliveryToSend, settings: RequestSettings, timestamp: number, authorization: string | undefined) {
  const event = {
    id: delivery.event_id,
    type: delivery.event_type as EventType,
    occurredAt: delivery.payload.occurredAt,
    seq: Number(delivery.audit_seq),
    resourceType: delivery.resource_type as ResourceType,
    resourceId: delivery.resource_id,
    data: delivery.payload.data,
  };
  const cloudEvent = toCloudEvent(event, settings.cloudEvents, delivery.traceparent ?? undefined);
  const body = JSON.stringify(cloudEvent);
  const secret = standardWebhooksSecret(settings.signingKey, delivery.subscription_id);
  return {
    body,
    headers: {
      'Content-Type': CLOUD_EVENTS_CONTENT_TYPE,
      'User-Agent': USER_AGENT,
      'WebHook-Request-Origin': settings.requestOrigin,
      ...standardWebhooksHeaders(secret, delivery.event_id, timestamp, body),
      ...(authorization !== undefined && { Authorization: authorization }),
      ...(cloudEvent.traceparent !== undefined && { traceparent: cloudEvent.traceparent }),
    },
  };
}

/** W3C Trace Context: the delivery continues the trace of the request that caused the event. */
function traceHeader(delivery: DeliveryToSend): Record<string, string> {
  return delivery.traceparent === null ? {} : { traceparent: delivery.traceparent };
}
