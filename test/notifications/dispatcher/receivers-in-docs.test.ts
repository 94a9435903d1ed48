import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { insertSubscription } from '../../../src/db/webhooks-repository.js';
import { createLogger } from '../../../src/logger.js';
import { WebhookDispatcher } from '../../../src/notifications/dispatcher.js';
import { webhookHandshake } from '../../../src/notifications/handshake.js';
import { encryptAuthorization } from '../../../src/notifications/receiver-authorization.js';
import { signatureHeader, subscriptionSecret, verifySignature } from '../../../src/notifications/signing.js';
import { standardWebhooksSecret, standardWebhooksSignature } from '../../../src/notifications/standard-webhooks.js';
import { startTestApp } from '../../helpers/app.js';
import { expectStatus } from '../../helpers/assertions.js';
import { createCentreMunicipalities, createProgramme, fundTheRegister } from '../../helpers/factories.js';
import { freePort, PROJECT_DIR, start, type Started } from '../../helpers/server-process.js';

/**
 * docs/webhooks.md as a receiver would use it: its signed example is what the service's own
 * signing produces, its Python and Java eszl-v1 verifiers accept that example (and only it), and
 * its TypeScript receiver, run as written, agrees in the handshake and verifies a real
 * cloudevents delivery of the dispatcher.
 */
const docs = await readFile(join(PROJECT_DIR, 'docs/webhooks.md'), 'utf8');
/** The fenced block after `<!-- marker -->`. */
function block(marker: string): string {
  const match = new RegExp(`<!-- ${marker} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(docs);
  if (match === null) throw new Error(`docs/webhooks.md has no block marked ${marker}`);
  return match[1]!;
}
const DOCS_SIGNING_KEY = 'documentation-example-signing-key-not-in-use';
const example = JSON.parse(block('signed-example')) as {
  subscriptionId: string;
  cloudevents: { secret: string; webhookId: string; webhookTimestamp: string; body: string; webhookSignature: string };
  eszlV1: { secret: string; eszlSignature: string; body: string };
};
const NOW = Number(example.cloudevents.webhookTimestamp);

t.test('the signed example is what the service signs, in both formats', async (t) => {
  const { cloudevents: ce, eszlV1 } = example;
  t.equal(standardWebhooksSecret(DOCS_SIGNING_KEY, example.subscriptionId), ce.secret, 'the Standard Webhooks secret of the subscription');
  t.equal(subscriptionSecret(DOCS_SIGNING_KEY, example.subscriptionId), eszlV1.secret, 'the eszl-v1 secret of the same subscription');
  t.equal(standardWebhooksSignature(ce.secret, ce.webhookId, NOW, ce.body), ce.webhookSignature);
  t.equal(new Webhook(ce.secret).sign(ce.webhookId, new Date(NOW * 1000), ce.body), ce.webhookSignature, 'and so does the standardwebhooks library');
  t.equal(signatureHeader(eszlV1.secret, NOW, eszlV1.body), eszlV1.eszlSignature);
  t.ok(verifySignature(eszlV1.secret, eszlV1.eszlSignature, eszlV1.body, NOW));
});

t.test('the Python eszl-v1 verifier of the docs accepts the example, and nothing changed', async (t) => {
  const { eszlV1 } = example;
  const harness = `${block('receiver:python:eszl-v1')}
import json, sys
e = json.loads(sys.stdin.read())
print(verify_eszl_v1(e["secret"], e["eszlSignature"], e["body"].encode(), ${NOW}),
      verify_eszl_v1(e["secret"], e["eszlSignature"], e["body"].encode() + b" ", ${NOW}),
      verify_eszl_v1(e["secret"], e["eszlSignature"], e["body"].encode(), ${NOW + 600}))
`;
  const out = execFileSync('python3', ['-c', harness], { input: JSON.stringify(eszlV1), encoding: 'utf8' });
  t.equal(out.trim(), 'True False False', 'valid; a changed body fails; ten minutes later fails');
});

t.test('the Java eszl-v1 verifier of the docs accepts the example, and nothing changed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'eszl-docs-java-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const { eszlV1 } = example;
  const quote = (s: string) => JSON.stringify(s); // a JSON string is a Java string literal here (ASCII, no \u2028)
  await writeFile(join(dir, 'EszlV1.java'), block('receiver:java:eszl-v1'));
  await writeFile(
    join(dir, 'Check.java'),
    `public class Check { public static void main(String[] a) throws Exception {
      String secret = ${quote(eszlV1.secret)}, header = ${quote(eszlV1.eszlSignature)}, body = ${quote(eszlV1.body)};
      System.out.println(EszlV1.verify(secret, header, body, ${NOW}L) + " " + EszlV1.verify(secret, header, body + " ", ${NOW}L) + " " + EszlV1.verify(secret, header, body, ${NOW + 600}L));
    } }`,
  );
  execFileSync('javac', ['-d', dir, join(dir, 'EszlV1.java'), join(dir, 'Check.java')]);
  t.equal(execFileSync('java', ['-cp', dir, 'Check'], { encoding: 'utf8' }).trim(), 'true false false');
});

t.test('the TypeScript receiver of the docs agrees in the handshake and verifies a real cloudevents delivery', async (t) => {
  const signingKey = `whk-test-signing-key-${randomBytes(10).toString('hex')}`;
  const ctx = await startTestApp(t, { env: { WEBHOOK_SIGNING_KEY: signingKey, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
  const { admin } = ctx;
  const { heerlen } = await createCentreMunicipalities(admin);
  await fundTheRegister(admin, heerlen.id);
  const programme = await createProgramme(admin);

  // The receiver runs as its own program, from a file next to node_modules so `standardwebhooks` resolves.
  const dir = join(PROJECT_DIR, 'node_modules', '.cache', 'eszl-docs');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `receiver-${process.pid}.ts`);
  await writeFile(file, block('receiver:typescript:cloudevents'));
  t.teardown(() => rm(file, { force: true }));
  const subscriptionId = randomUUID();
  const token = randomBytes(12).toString('hex');
  const port = await freePort();
  const receiver: Started = start({ PATH: process.env.PATH ?? '', PORT: String(port), ESZL_WEBHOOK_SECRET: standardWebhooksSecret(signingKey, subscriptionId), ESZL_WEBHOOK_TOKEN: token }, {
    args: ['--import', 'tsx', file],
  });
  t.teardown(() => receiver.child.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}/eszl`;

  let agreed: Awaited<ReturnType<typeof webhookHandshake>> | undefined;
  for (let i = 0; i < 100 && agreed?.ok !== true; i++) {
    agreed = await webhookHandshake(url, 'api.eszl.example', { allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 });
    if (!agreed.ok) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  t.same(agreed, { ok: true, allowedRate: 120 }, 'the handshake agrees, with the rate the receiver allows');

  await insertSubscription(ctx.db.database.db, {
    id: subscriptionId,
    callbackUrl: url,
    eventTypes: ['decision.adopted'],
    programmeId: programme.id,
    format: 'cloudevents',
    authorizationEncrypted: encryptAuthorization(signingKey, subscriptionId, `Bearer ${token}`),
    allowedRate: agreed?.ok ? agreed.allowedRate : null,
  });
  const draft = await admin.post('/api/v1/decisions', {
    reference: `DOCS-${randomUUID().slice(0, 8)}`,
    title: 'Docs receiver decision',
    boardMeetingDate: '2026-01-20',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 500_000 }],
  });
  expectStatus(draft, 201, 'create decision');
  const decisionId = draft.json<{ id: string }>().id;
  expectStatus(await admin.post(`/api/v1/decisions/${decisionId}/adopt`), 200, 'adopt');

  const dispatcher = new WebhookDispatcher({
    database: ctx.db.database,
    signingKey,
    allowedHosts: ['127.0.0.1'],
    logger: createLogger('silent'),
    retryWindowMs: 60_000,
    backoffBaseMs: 50,
    backoffMaxMs: 200,
    timeoutMs: 5_000,
  });
  const state = async () =>
    ((await ctx.db.database.db.execute(sql`select state from webhook_deliveries where subscription_id = ${subscriptionId}`)) as unknown as { rows: { state: string }[] }).rows[0]?.state;
  for (let i = 0; i < 100 && (await state()) !== 'delivered'; i++) {
    await dispatcher.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.equal(await state(), 'delivered', 'the receiver answered 2xx');
  const [outbox] = ((await ctx.db.database.db.execute(
    sql`select event_id, audit_seq from outbox_events where decision_id = ${decisionId} and event_type = 'decision.adopted'`,
  )) as unknown as { rows: { event_id: string; audit_seq: string | number }[] }).rows;
  t.match(receiver.stdout(), `verified nl.funding-decisions.decision.adopted ${outbox!.event_id} sequence ${outbox!.audit_seq} about ${decisionId}`);
  t.notMatch(receiver.stdout(), 'refused');
});
