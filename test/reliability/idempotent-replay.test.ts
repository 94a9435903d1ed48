import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createPrivateCluster, privateClusterUnavailable } from '../helpers/private-cluster.js';
import { killIfRunning, startServer, waitUntilReady, type ServerProcess } from './support/crash-server.js';

/**
 * A retry after a lost answer gets the answer. On a PostgreSQL cluster of the test's own, the
 * real server takes writes under fresh Idempotency-Keys from several connections (organisations,
 * which no unique column protects from a duplicate; decisions; votes); PostgreSQL is stopped with
 * `-m immediate` in the middle of them and started again. Then every key is replayed with its
 * request: a write answered before the crash answers its stored status and bytes with
 * `Idempotent-Replayed: true`; a write whose answer was lost or refused either answers the stored
 * result of its change (it committed) or acts now, at once (it did not: no claim is left behind).
 * None answers 409 IDEMPOTENCY_REQUEST_IN_PROGRESS or 5xx, and the database holds each write at
 * most once: one organisation per name, one decision per reference, one vote per decision and
 * municipality, each with one audit event. The same with the embedded database, whose fault is the
 * server process dying: it is killed with SIGKILL among the writes and started again.
 */
const ADMIN_API_KEY = `replay-admin-${randomBytes(14).toString('hex')}`;
const WRITERS = 6;
const ACKNOWLEDGED_BEFORE_CRASH = 30;
const DOWN_MS = 1_000;

interface Answer {
  status: number | undefined;
  body: string;
  replayed: boolean;
  error?: string;
}

interface Write {
  kind: 'organisation' | 'decision' | 'vote';
  key: string;
  path: string;
  body: Record<string, unknown>;
  first?: Answer;
  replays: Answer[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const succeeded = (a: Answer | undefined) => a?.status !== undefined && a.status >= 200 && a.status < 300;

/** Where the writes go, and how what they depend on crashes and comes back. */
interface Target {
  /** `pg_ctl stop -m immediate`, or SIGKILL of the server process. */
  crash: string;
  start(): Promise<ServerProcess>;
  /** Crashes it and brings it back: the server to replay against. */
  crashAndRestart(server: ServerProcess): Promise<ServerProcess>;
  /** The writers go on while it is down (PostgreSQL: the service answers 503), or stop at the crash (the server itself died). */
  writeThroughOutage: boolean;
}

const serverEnv = {
  ADMIN_API_KEY,
  RATE_LIMIT_PER_MINUTE: '0',
  LOG_LEVEL: 'fatal',
  DB_POOL_SIZE: String(WRITERS + 2),
  DB_CONNECT_TIMEOUT_MS: '2000',
  DB_STATEMENT_TIMEOUT_MS: '5000',
  MAX_EVENT_LOOP_DELAY_MS: '0',
};

t.test('every write replayed with its Idempotency-Key after PostgreSQL crashed under them answers its stored result or acts once', { skip: privateClusterUnavailable() ?? false }, async (t) => {
  const cluster = await createPrivateCluster();
  t.teardown(() => cluster.destroy());
  const databaseUrl = await cluster.createDatabase('eszl_replay_test');
  await crashAndReplay(t, {
    crash: 'PostgreSQL stopped with -m immediate',
    start: () => startServer({ ...serverEnv, DATABASE_URL: databaseUrl }),
    async crashAndRestart(server) {
      await cluster.stop('immediate');
      await sleep(DOWN_MS);
      await cluster.start();
      return server;
    },
    writeThroughOutage: true,
  });
});

t.test('every write replayed with its Idempotency-Key after the server on the embedded database was killed under them answers its stored result or acts once', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'eszl-replay-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  await crashAndReplay(t, {
    crash: 'the server on PGlite killed with SIGKILL',
    start: () => startServer({ ...serverEnv, DATA_DIR: dataDir }),
    async crashAndRestart(server) {
      process.kill(server.pid, 'SIGKILL');
      await server.exited;
      return startServer({ ...serverEnv, DATA_DIR: dataDir });
    },
    writeThroughOutage: false,
  });
});

async function crashAndReplay(t: Test, target: Target): Promise<void> {
  const started = Date.now();
  let server = await target.start();
  t.teardown(() => killIfRunning(server));
  await waitUntilReady(server, 300_000);

  /** `giveUpMs`: the client stops waiting for the answer that soon (a client timeout: the answer is lost, the change may commit). */
  const send = async (path: string, body: unknown, key?: string, method = 'POST', giveUpMs = 20_000): Promise<Answer> => {
    try {
      const res = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_API_KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...(key !== undefined && { 'idempotency-key': key }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(giveUpMs),
      });
      return { status: res.status, body: await res.text(), replayed: res.headers.get('idempotent-replayed') === 'true' };
    } catch (error) {
      const name = (error as Error).name;
      return { status: undefined, body: '', replayed: false, error: name === 'TimeoutError' ? 'abandoned' : String((error as Error & { cause?: { code?: string } }).cause?.code ?? error) };
    }
  };
  const get = async <T>(path: string): Promise<T> => {
    const answer = await send(path, undefined, undefined, 'GET');
    if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body.slice(0, 200)}`);
    return JSON.parse(answer.body) as T;
  };
  const created = async (path: string, body: unknown, status = 201): Promise<{ id: string }> => {
    const answer = await send(path, body);
    if (answer.status !== status) throw new Error(`POST ${path}: ${answer.status} ${answer.body.slice(0, 300)}`);
    return JSON.parse(answer.body) as { id: string };
  };
  const listAll = async <T>(path: string): Promise<T[]> => {
    const items: T[] = [];
    for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
      const page: { items: T[]; nextCursor: string | null } = await get(`${path}${path.includes('?') ? '&' : '?'}limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      items.push(...page.items);
      cursor = page.nextCursor;
    }
    return items;
  };

  // Decisions pending ratification by three centre municipalities, to vote on.
  const municipalities: string[] = [];
  for (const name of ['Gemeente Heerlen', 'Gemeente Sittard-Geleen', 'Gemeente Maastricht']) {
    municipalities.push((await created('/api/v1/organisations', { name, kind: 'municipality', centreMunicipality: true })).id);
  }
  const programme = await created('/api/v1/programmes', { code: `RPL-${randomBytes(3).toString('hex').toUpperCase()}`, name: 'Replay' });
  const decisionBody = (reference: string, amountCents: number) => ({
    reference,
    title: 'Written while PostgreSQL crashes',
    boardMeetingDate: dayOffset(-14),
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
  });
  const pending: string[] = [];
  for (let i = 0; i < 4; i++) {
    const draft = await created('/api/v1/decisions', decisionBody(`RPL-P-${i}-${randomUUID()}`, 20_000_000));
    const adopted = await send(`/api/v1/decisions/${draft.id}/adopt`, undefined);
    if (adopted.status !== 200 || !adopted.body.includes('"pending_ratification"')) throw new Error(`not pending: ${adopted.status} ${adopted.body.slice(0, 300)}`);
    pending.push(draft.id);
  }

  // The writes: every vote the pending decisions can take, then organisations and decisions for as long as it takes.
  const votes: Write[] = pending.flatMap((decisionId) =>
    municipalities.map((municipalityId) => ({
      kind: 'vote' as const,
      key: `vote-${randomUUID()}`,
      path: `/api/v1/decisions/${decisionId}/votes`,
      body: { municipalityId, outcome: 'approve', decidedOn: dayOffset(-1) },
      replays: [],
    })),
  );
  const nextWrite = (n: number): Write => {
    const vote = n % 2 === 0 ? votes.shift() : undefined;
    if (vote !== undefined) return vote;
    return n % 3 === 0
      ? { kind: 'decision', key: `decision-${randomUUID()}`, path: '/api/v1/decisions', body: decisionBody(`RPL-${randomUUID()}`, 1_000_000), replays: [] }
      : { kind: 'organisation', key: `organisation-${randomUUID()}`, path: '/api/v1/organisations', body: { name: `Stichting ${randomUUID()}`, kind: 'applicant' }, replays: [] };
  };
  const writes: Write[] = [];
  let running = true;
  let n = 0;
  const writer = async () => {
    while (running) {
      const write = nextWrite(n++);
      writes.push(write);
      // One write in three is abandoned by its client within a few milliseconds, answered or not.
      write.first = await send(write.path, write.body, write.key, 'POST', n % 3 === 1 ? 5 + Math.floor(Math.random() * 40) : 20_000);
      if (!succeeded(write.first) && write.first.error !== 'abandoned') await sleep(1_000);
    }
  };
  const workers = Array.from({ length: WRITERS }, writer);
  const deadline = Date.now() + 60_000;
  while (writes.filter((w) => succeeded(w.first)).length < ACKNOWLEDGED_BEFORE_CRASH) {
    if (Date.now() > deadline) throw new Error('too few writes were acknowledged before the crash');
    await sleep(20);
  }
  const burst = Date.now();
  if (!target.writeThroughOutage) running = false;
  const restarted = target.crashAndRestart(server);
  // The writers go on until the service answers again (or stopped at the crash).
  if (!target.writeThroughOutage) await Promise.all(workers);
  server = await restarted;
  t.teardown(() => killIfRunning(server));
  await waitUntilReady(server, 300_000);
  running = false;
  await Promise.all(workers);

  const crashed = Date.now();
  // Every key, replayed with its own request, twice, from as many connections.
  const queue = [...writes];
  const replayer = async () => {
    for (let write = queue.shift(); write !== undefined; write = queue.shift()) {
      write.replays.push(await send(write.path, write.body, write.key));
      write.replays.push(await send(write.path, write.body, write.key));
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, replayer));

  const lostOrRefused = writes.filter((w) => !succeeded(w.first) && !(w.first?.status !== undefined && w.first.status < 500));
  const answeredStored = lostOrRefused.filter((w) => w.replays[0]!.replayed && succeeded(w.replays[0]));
  const ranAgain = lostOrRefused.filter((w) => !w.replays[0]!.replayed && succeeded(w.replays[0]));
  const count = (list: Write[], kind: Write['kind']) => list.filter((w) => w.kind === kind).length;
  t.comment(
    `${target.crash}: ${writes.length} writes under Idempotency-Keys from ${WRITERS} connections (${count(writes, 'organisation')} organisations, ${count(writes, 'decision')} decisions, ` +
      `${count(writes, 'vote')} votes); ${writes.filter((w) => succeeded(w.first)).length} acknowledged, ${lostOrRefused.length} lost or refused ` +
      `(${lostOrRefused.filter((w) => w.first?.status === 503).length} answered 503, ${lostOrRefused.filter((w) => w.first?.error === 'abandoned').length} abandoned by their client, ` +
      `${lostOrRefused.filter((w) => w.first?.status === undefined && w.first?.error !== 'abandoned').length} without an answer). ` +
      `Replayed: ${writes.filter((w) => succeeded(w.first) && w.replays[0]!.replayed).length} acknowledged ones answered their stored bytes; of the lost or refused, ` +
      `${answeredStored.length} answered the stored result of a change that had committed, ${ranAgain.length} ran once now. ` +
      `Timings: set-up and burst ${((burst - started) / 1000).toFixed(1)} s, crash to ready ${((crashed - burst) / 1000).toFixed(1)} s, replays ${((Date.now() - crashed) / 1000).toFixed(1)} s`,
  );

  const wrong = (w: Write, why: string) => `${w.kind} ${w.key}: ${why} (first ${w.first?.status ?? w.first?.error}, replays ${w.replays.map((r) => `${r.status}${r.replayed ? ' replayed' : ''} ${r.body.slice(0, 120)}`).join(' | ')})`;
  t.same(
    writes.filter((w) => w.replays.some((r) => r.status === undefined || r.status >= 500 || r.body.includes('IDEMPOTENCY_REQUEST_IN_PROGRESS'))).map((w) => wrong(w, 'no answer, 5xx or in progress')),
    [],
    'no replay answers 5xx or 409 IDEMPOTENCY_REQUEST_IN_PROGRESS',
  );
  t.same(
    writes.filter((w) => succeeded(w.first) && !(w.replays[0]!.replayed && w.replays[0]!.status === w.first!.status && w.replays[0]!.body === w.first!.body)).map((w) => wrong(w, 'not its stored answer')),
    [],
    'every acknowledged write replays its stored status and bytes',
  );
  t.same(
    lostOrRefused.filter((w) => !succeeded(w.replays[0])).map((w) => wrong(w, 'neither stored nor acted')),
    [],
    'every write whose answer was lost or refused answers its stored result or acts now',
  );
  t.same(
    writes.filter((w) => !(w.replays[1]!.replayed && w.replays[1]!.status === w.replays[0]!.status && w.replays[1]!.body === w.replays[0]!.body)).map((w) => wrong(w, 'the second replay differs')),
    [],
    'a second replay answers the same bytes again',
  );

  // What the database holds: each write once, the one its final answer describes.
  // A write refused (4xx) is in the database nowhere: its final answer names no id.
  const final = (w: Write) => (succeeded(w.replays[0]) ? (JSON.parse(w.replays[0]!.body) as { id: string }) : { id: '' });
  const organisations = await listAll<{ id: string; name: string }>('/api/v1/organisations');
  const decisions = await listAll<{ id: string; reference: string }>('/api/v1/decisions');
  const castVotes = (await Promise.all(pending.map((id) => get<{ items: { id: string; municipalityId: string }[] }>(`/api/v1/decisions/${id}/votes`).then(({ items }) => items.map((v) => ({ ...v, decisionId: id })))))).flat();
  const duplicates = [
    ...writes.filter((w) => w.kind === 'organisation').filter((w) => organisations.filter((o) => o.name === w.body.name).map((o) => o.id).join() !== final(w).id).map((w) => wrong(w, 'organisations')),
    ...writes.filter((w) => w.kind === 'decision').filter((w) => decisions.filter((d) => d.reference === w.body.reference).map((d) => d.id).join() !== final(w).id).map((w) => wrong(w, 'decisions')),
    ...writes
      .filter((w) => w.kind === 'vote')
      .filter((w) => castVotes.filter((v) => w.path.includes(v.decisionId) && v.municipalityId === w.body.municipalityId).map((v) => v.id).join() !== final(w).id)
      .map((w) => wrong(w, 'votes')),
  ];
  t.same(duplicates, [], `each write is in the database exactly once, as its answer says (${organisations.length} organisations, ${decisions.length} decisions, ${castVotes.length} votes)`);
  const events = await listAll<{ action: string; resourceId: string }>('/api/v1/audit-events?resourceType=organisation');
  const createdEvents = new Map<string, number>();
  for (const e of events) if (e.action === 'organisation.created') createdEvents.set(e.resourceId, (createdEvents.get(e.resourceId) ?? 0) + 1);
  t.same(organisations.filter((o) => createdEvents.get(o.id) !== 1).map((o) => o.name), [], 'each organisation has one organisation.created event');
  const voteEvents = await listAll<{ action: string }>('/api/v1/audit-events');
  t.equal(voteEvents.filter((e) => e.action === 'vote.cast').length, castVotes.length, 'one vote.cast event per vote');
  const verify = await get<{ valid: boolean; count: number }>('/api/v1/audit-events/verify');
  t.equal(verify.valid, true, `the audit chain verifies (${verify.count} events)`);
}
