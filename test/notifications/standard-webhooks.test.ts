import { createHmac, randomUUID } from 'node:crypto';
import t from 'tap';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { subscriptionSecret } from '../../src/notifications/signing.js';
import {
  standardWebhooksHeaders,
  standardWebhooksKey,
  standardWebhooksSecret,
  standardWebhooksSignature,
} from '../../src/notifications/standard-webhooks.js';

/**
 * Standard Webhooks signing checked against the example of the specification's reference
 * library (libraries/javascript/src/webhook.test.ts, "sign function works") and verified with
 * the `standardwebhooks` npm library, which receivers use.
 */
const SIGNING_KEY = 'whk-test-signing-key-0123456789abcdefghij';

t.test('the reference example signs to the expected v1 signature', async (t) => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const signature = standardWebhooksSignature(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
  t.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  t.equal(new Webhook(secret).sign('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}'), signature, 'and so does the library');
});

t.test('a subscription secret is whsec_ and standard base64 of the 32 bytes the eszl-v1 secret spells in base64url', async (t) => {
  const id = randomUUID();
  const secret = standardWebhooksSecret(SIGNING_KEY, id);
  t.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'standard base64 of 32 bytes, padded');
  const legacy = subscriptionSecret(SIGNING_KEY, id);
  const expectedBytes = createHmac('sha256', SIGNING_KEY).update(`webhook-subscription:${id}`).digest();
  t.equal(legacy, `whsec_${expectedBytes.toString('base64url')}`, 'the eszl-v1 secret is unchanged');
  t.same(standardWebhooksKey(secret), expectedBytes, 'the same 32 bytes');
  t.not(standardWebhooksSecret(SIGNING_KEY, randomUUID()), secret, 'one secret per subscription');
});

t.test('the headers verify with the standardwebhooks library, for this body only', async (t) => {
  const secret = standardWebhooksSecret(SIGNING_KEY, randomUUID());
  const body = JSON.stringify({ specversion: '1.0', id: randomUUID(), title: 'Bijdrage Zuid-Limburg – €140.000' });
  const id = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const headers = standardWebhooksHeaders(secret, id, now, body);
  t.same(Object.keys(headers), ['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  t.equal(headers['webhook-id'], id);
  t.equal(headers['webhook-timestamp'], String(now));
  t.same(new Webhook(secret).verify(body, headers), JSON.parse(body), 'verified and parsed');
  t.throws(() => new Webhook(secret).verify(`${body} `, headers), WebhookVerificationError, 'a changed body fails');
  t.throws(() => new Webhook(standardWebhooksSecret(SIGNING_KEY, randomUUID())).verify(body, headers), WebhookVerificationError, 'another secret fails');
  t.throws(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': randomUUID() }), WebhookVerificationError, 'another id fails');
  const old = standardWebhooksHeaders(secret, id, now - 600, body);
  t.throws(() => new Webhook(secret).verify(body, old), WebhookVerificationError, 'a timestamp ten minutes old fails');
});

t.test('a message id with a dot is refused, since it would make the signed text ambiguous', async (t) => {
  t.throws(() => standardWebhooksSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'a.b', 1, '{}'));
  t.throws(() => standardWebhooksKey('whsec_not base64!'));
});
