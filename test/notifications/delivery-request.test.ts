import { createHmac, randomUUID } from 'node:crypto';
import t from 'tap';
import { CLOUD_EVENTS_CONTENT_TYPE, sequenceOf } from '../../src/domain/cloudevents.js';
import { deliveryRequest, USER_AGENT, type DeliveryToSend, type RequestSettings } from '../../src/notifications/delivery-request.js';
import { encryptAuthorization } from '../../src/notifications/receiver-authorization.js';
import { SIGNATURE_HEADER, subscriptionSecret, verifySignature } from '../../src/notifications/signing.js';
import { standardWebhooksSecret } from '../../src/notifications/standard-webhooks.js';

/**
 * The body and headers of one attempt, per format: `eszl-v1` sends the outbox body as stored with
 * `ESZL-Signature`; `cloudevents` sends the CloudEvent, signed as Standard Webhooks, with the
 * receiver's own Authorization decrypted when it gave one, and never otherwise.
 */
const SIGNING_KEY = 'a-signing-key-of-at-least-32-characters!!';
const settings: RequestSettings = {
  signingKey: SIGNING_KEY,
  cloudEvents: { source: 'urn:nld:test', baseUrl: 'https://eszl.example/api/v1' },
  requestOrigin: 'eszl.example',
};
const TIMESTAMP = 1_767_225_600;

function delivery(overrides: Partial<DeliveryToSend> = {}): DeliveryToSend {
  const decisionId = randomUUID();
  return {
    subscription_id: randomUUID(),
    format: 'eszl-v1',
    authorization_encrypted: null,
    payload: { id: randomUUID(), type: 'decision.adopted', occurredAt: '2026-01-01T00:00:00.000Z', data: { decision: { id: decisionId } } },
    event_id: randomUUID(),
    event_type: 'decision.adopted',
    audit_seq: '42',
    resource_type: 'decision',
    resource_id: decisionId,
    traceparent: null,
    ...overrides,
  };
}

t.test('eszl-v1: the stored body, signed with the subscription\'s secret', async (t) => {
  const sent = delivery();
  const { body, headers } = deliveryRequest(sent, settings, TIMESTAMP);
  t.equal(body, JSON.stringify(sent.payload), 'the outbox body as it is');
  t.same(Object.keys(headers).sort(), ['Content-Type', 'ESZL-Event-Id', 'ESZL-Event-Type', SIGNATURE_HEADER, 'User-Agent'].sort());
  t.match(headers, { 'Content-Type': 'application/json', 'User-Agent': USER_AGENT, 'ESZL-Event-Id': sent.event_id, 'ESZL-Event-Type': 'decision.adopted' });
  const secret = subscriptionSecret(SIGNING_KEY, sent.subscription_id);
  t.ok(verifySignature(secret, headers[SIGNATURE_HEADER]!, body, TIMESTAMP), 'verifies with its secret');
  t.notOk(verifySignature(subscriptionSecret(SIGNING_KEY, randomUUID()), headers[SIGNATURE_HEADER]!, body, TIMESTAMP), 'not with another subscription\'s');
  const withAuthorization = deliveryRequest({ ...sent, authorization_encrypted: encryptAuthorization(SIGNING_KEY, sent.subscription_id, 'Bearer r') }, settings, TIMESTAMP);
  t.equal(withAuthorization.headers.Authorization, 'Bearer r', 'a receiver\'s Authorization goes with every delivery, eszl-v1 too');
  t.notOk('Authorization' in headers, 'and none without one');
});

t.test('cloudevents: the CloudEvent in structured mode, signed as Standard Webhooks', async (t) => {
  const sent = delivery({ format: 'cloudevents' });
  const { body, headers } = deliveryRequest(sent, settings, TIMESTAMP);
  t.match(headers, { 'Content-Type': CLOUD_EVENTS_CONTENT_TYPE, 'User-Agent': USER_AGENT, 'WebHook-Request-Origin': 'eszl.example', 'webhook-id': sent.event_id, 'webhook-timestamp': String(TIMESTAMP) });
  t.notOk('Authorization' in headers, 'no Authorization: the receiver gave none');
  t.notOk(SIGNATURE_HEADER in headers);
  const event = JSON.parse(body) as Record<string, unknown>;
  t.match(event, {
    specversion: '1.0',
    id: sent.event_id,
    source: 'urn:nld:test',
    type: 'nl.funding-decisions.decision.adopted',
    time: '2026-01-01T00:00:00.000Z',
    subject: sent.resource_id,
    sequence: sequenceOf(42),
    data: sent.payload.data,
  });
  t.equal(Number(event.sequence), 42, 'the audit seq (a string from the driver) as the sequence');
  // Standard Webhooks: HMAC-SHA256 over `id.timestamp.body` with the base64 bytes after `whsec_`.
  const key = Buffer.from(standardWebhooksSecret(SIGNING_KEY, sent.subscription_id).slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${sent.event_id}.${TIMESTAMP}.${body}`).digest('base64');
  t.equal(headers['webhook-signature'], `v1,${expected}`, 'signed with the subscription\'s secret over this body');
});

t.test('cloudevents with the receiver\'s Authorization: decrypted for this subscription only', async (t) => {
  const sent = delivery({ format: 'cloudevents' });
  sent.authorization_encrypted = encryptAuthorization(SIGNING_KEY, sent.subscription_id, 'Bearer receiver-token');
  t.equal(deliveryRequest(sent, settings, TIMESTAMP).headers.Authorization, 'Bearer receiver-token');
  t.throws(() => deliveryRequest({ ...sent, subscription_id: randomUUID() }, settings, TIMESTAMP), 'another subscription cannot decrypt it');
});
