import { randomBytes } from 'node:crypto';
import t from 'tap';
import { amsterdamDateOf } from '../../src/domain/clock.js';
import { baseEnv, fetchReady, freePort, serverDatabase, start, tempDataDir } from '../helpers/server-process.js';
import { Receiver, signedWith } from '../helpers/webhook-receiver.js';

/**
 * The "done when", end to end: the real server process (`node --import tsx
 * src/server.ts`) with webhooks configured and its own background dispatcher and overdue check;
 * a local receiver subscribed over HTTP; the WTMR story played over HTTP. The receiver gets
 * decision.adopted, three vote.cast and decision.ratified, signed. Then the receiver is stopped
 * during a burst and started again on the same port: nothing is lost. The server runs on the
 * system clock, so dates are relative to today.
 */
const ADMIN_API_KEY = `e2e-admin-${randomBytes(15).toString('hex')}`;
const SIGNING_KEY = `e2e-webhook-key-${randomBytes(16).toString('hex')}`;
const DAY = 86_400_000;
const today = amsterdamDateOf(new Date());
const daysFromToday = (days: number) => amsterdamDateOf(new Date(Date.now() + days * DAY));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every 100 ms, at most `polls` times. */
async function until(done: () => boolean, polls: number): Promise<boolean> {
  for (let i = 0; i < polls; i++) {
    if (done()) return true;
    await pause(100);
  }
  return done();
}

t.test('the real server delivers the WTMR story to a subscribed receiver, signed, and loses nothing while it is down', async (t) => {
  const dataDir = await tempDataDir(t, 'eszl-e2e-webhooks-');
  const database = await serverDatabase(t);

  const receiver = await Receiver.start(t);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = start(
    {
      ...baseEnv('npm_config_cache'),
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '0',
      WEBHOOK_SIGNING_KEY: SIGNING_KEY,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_BACKOFF_BASE_MS: '50',
      WEBHOOK_BACKOFF_MAX_MS: '500',
      OVERDUE_CHECK_INTERVAL_MS: '200',
      ...(database?.url !== undefined && { DATABASE_URL: database.url }),
    },
    { detached: false },
  );
  const { child } = server;
  let gone = false;
  void server.exited.then(() => (gone = true));
  t.teardown(() => {
    if (!gone && child.pid !== undefined) child.kill('SIGKILL');
  });

  let ready = false;
  for (let i = 0; i < 240 && !ready && !gone; i++) {
    try {
      ready = await fetchReady(baseUrl);
    } catch {
      // not listening yet
    }
    if (!ready) await pause(250);
  }
  if (!ready) throw new Error(`the server did not become ready:\n${server.stderr()}\n${server.stdout().slice(-2000)}`);

  const call = async <T>(method: string, path: string, body?: unknown, expected = [200, 201, 204]): Promise<T> => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_API_KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 400)}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };

  const subscription = await call<{ id: string; secret: string }>('POST', '/webhook-subscriptions', {
    callbackUrl: receiver.url,
    eventTypes: ['decision.adopted', 'vote.cast', 'decision.ratified', 'condition.overdue'],
  });
  t.match(subscription.secret, /^whsec_/, 'the receiver is subscribed over HTTP and gets its secret');

  const municipalities: { id: string }[] = [];
  for (const name of ['Gemeente Heerlen', 'Gemeente Sittard-Geleen', 'Gemeente Maastricht']) {
    municipalities.push(await call('POST', '/organisations', { name, kind: 'municipality', centreMunicipality: true }));
  }
  const applicant = await call<{ id: string }>('POST', '/organisations', { name: 'Stichting Welcome to Maastricht Region', kind: 'applicant' });
  const programme = await call<{ id: string }>('POST', '/programmes', { code: 'WTMR', name: 'Welcome to Maastricht Region' });
  const decisionBody = (reference: string, conditions: { description: string; dueDate: string }[] = []) => ({
    reference,
    title: 'Bijdrage Welcome to Maastricht Region 2026-2027',
    boardMeetingDate: daysFromToday(-30),
    applicantOrganisationId: applicant.id,
    commitments: [
      { programmeId: programme.id, year: 2026, amountCents: 14_000_000 },
      { programmeId: programme.id, year: 2027, amountCents: 25_000_000 },
    ],
    conditions,
  });
  const play = async (reference: string) => {
    const decision = await call<{ id: string }>('POST', '/decisions', decisionBody(reference, [{ description: 'Result criteria', dueDate: daysFromToday(120) }]));
    await call('POST', `/decisions/${decision.id}/adopt`);
    for (const m of municipalities) {
      await call('POST', `/decisions/${decision.id}/votes`, { municipalityId: m.id, outcome: 'approve', decidedOn: today });
    }
    return decision;
  };

  // The WTMR story.
  const wtmr = await play('ESZL-2026-007');
  const story = ['decision.adopted', 'vote.cast', 'vote.cast', 'vote.cast', 'decision.ratified'];
  await until(() => receiver.hits.length >= 5, 200);
  await pause(300);
  t.same(receiver.hits.map((hit) => hit.payload.type), story, 'the receiver gets decision.adopted, three vote.cast and decision.ratified, in order');
  t.ok(receiver.hits.every((hit) => hit.payload.decisionId === wtmr.id), 'all of the WTMR decision');
  t.ok(receiver.hits.every((hit) => signedWith(subscription.secret, hit)), 'each signed with the subscription secret');
  t.ok(receiver.hits.every((hit) => hit.headers['eszl-event-id'] === hit.payload.id), 'each with its event id in ESZL-Event-Id');
  t.equal(receiver.ids().size, 5, 'five distinct events');

  // A burst while the receiver is down; then it comes back on the same port.
  await receiver.stop();
  const burst = [];
  for (let i = 1; i <= 4; i++) burst.push(await play(`ESZL-2026-10${i}`));
  const overdue = await call<{ id: string; conditions: { id: string }[] }>(
    'POST',
    '/decisions',
    { ...decisionBody('ESZL-2026-199', [{ description: 'Overdue report', dueDate: daysFromToday(-1) }]), commitments: [{ programmeId: programme.id, year: 2026, amountCents: 500_000 }] },
  );
  await call('POST', `/decisions/${overdue.id}/adopt`); // adopted at once; its condition was due yesterday
  await pause(1_500); // the dispatcher keeps failing for a while
  const hitsWhileDown = receiver.hits.length;
  await receiver.restart();
  const expected = 5 + burst.length * 5 + 2; // + the adoption and the condition.overdue of the small decision
  const complete = await until(() => receiver.ids().size >= expected, 300);
  await pause(500);
  const ids = receiver.hits.map((hit) => hit.payload.id);
  const dupes = ids.length - new Set(ids).size;
  t.comment(`e2e: expected ${expected} events, received ${receiver.ids().size} distinct in ${receiver.hits.length} requests, duplicates ${dupes}`);
  t.equal(hitsWhileDown, 5, 'nothing arrived while the receiver was down');
  t.ok(complete, 'every event arrived after the receiver came back');
  t.equal(dupes, 0, 'none twice');
  for (const decision of burst) {
    t.same(
      receiver.hits.filter((hit) => hit.payload.decisionId === decision.id).map((hit) => hit.payload.type),
      story,
      `the burst decision ${decision.id.slice(0, 8)} arrived whole and in order`,
    );
  }
  t.same(
    receiver.hits.filter((hit) => hit.payload.decisionId === overdue.id).map((hit) => hit.payload.type),
    ['decision.adopted', 'condition.overdue'],
    'the scheduled check raised condition.overdue for the condition due yesterday, once',
  );
  const overdueHit = receiver.hits.find((hit) => hit.payload.type === 'condition.overdue');
  t.equal((overdueHit?.payload.data as { condition?: { id: string } } | undefined)?.condition?.id, overdue.conditions[0]!.id, 'naming the condition');
  t.ok(receiver.hits.every((hit) => signedWith(subscription.secret, hit)), 'every message is signed');

  const log = await call<{ items: { state: string; attempts: number }[] }>('GET', `/webhook-subscriptions/${subscription.id}/deliveries?limit=200`);
  t.equal(log.items.length, expected, 'the delivery log lists every event');
  t.ok(log.items.every((item) => item.state === 'delivered'), 'all delivered');
  t.comment(`e2e: ${log.items.reduce((sum, item) => sum + item.attempts, 0)} attempts for ${log.items.length} deliveries`);

  child.kill('SIGTERM');
  const exit = await Promise.race([server.exited, pause(20_000).then(() => 'timeout' as const)]);
  t.same(exit, { code: 0, signal: null }, 'the server stops cleanly on SIGTERM, background jobs included');
  t.notOk(server.stdout().includes(SIGNING_KEY) || server.stderr().includes(SIGNING_KEY), 'the signing key is not in the log');
  t.notOk(server.stdout().includes(subscription.secret), 'nor the subscription secret');
});
