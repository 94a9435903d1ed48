import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { amsterdamDateOf } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { startTestApp, type Client } from '../helpers/app.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.js';
import { seededRng, type Rng } from '../helpers/concurrency.js';
import { createCentreMunicipalities, createProgramme } from '../helpers/factories.js';

/**
 * The promise of `asOf`: the decision as of any moment is exactly what `GET /decisions/{id}`
 * answered at that moment. On PostgreSQL, four workers each play a random history on decisions
 * of their own at the same time (create, edit, adopt, vote, fulfil, withdraw), recording every
 * answer of `GET /decisions/{id}` with the moment right after it; afterwards `asOf` at each of
 * those moments must answer the same body with the same ETag, for every decision. Seeded
 * (ASOF_SEED overrides); the interleaving is up to the database.
 */
const onPostgres = testDatabaseUrl() !== undefined;
const WORKERS = 4;
const OPERATIONS_PER_WORKER = 75;
const SEED = Number(process.env.ASOF_SEED ?? 20261129);

/** What a worker does with one of its decisions, by its status (a mix that reaches every state). */
const ACTIONS: Record<Decision['status'], string[]> = {
  draft: ['edit', 'adopt', 'adopt', 'adopt', 'withdraw'],
  pending_ratification: ['vote', 'vote', 'vote', 'vote', 'vote', 'vote', 'vote', 'fulfil', 'withdraw', 'read'],
  adopted: ['fulfil', 'read'],
  ratified: ['fulfil', 'read'],
  rejected: ['read', 'vote'],
  withdrawn: ['read', 'edit'],
  superseded: ['read'],
  settled: ['read'],
};

interface Served {
  id: string;
  at: string;
  etag: string;
  body: Decision;
}

t.test('asOf at every moment of a random history answers what GET answered then', { skip: !onPostgres && 'needs PostgreSQL (DATABASE_URL)' }, async (t) => {
  const database = await createTestDatabase({ poolSize: 12 });
  t.teardown(() => database.close());
  const ctx = await startTestApp(t, { database, env: { RATE_LIMIT_PER_MINUTE: '0' } });
  const { admin } = ctx;
  const municipalities = Object.values(await createCentreMunicipalities(admin)).map((m) => m.id);
  const programmes = [(await createProgramme(admin)).id, (await createProgramme(admin)).id];
  const day = (offset: number) => amsterdamDateOf(new Date(Date.now() + offset * 86_400_000));
  const served: Served[] = [];
  const outcomes: Record<string, number> = {};

  async function record(id: string): Promise<Decision> {
    const res = await admin.get(`/api/v1/decisions/${id}`);
    if (res.statusCode !== 200) throw new Error(`GET ${id}: ${res.statusCode} ${res.body}`);
    const at = new Date();
    const body = res.json<Decision>();
    served.push({ id, at: at.toISOString(), etag: String(res.headers.etag), body });
    // This worker's next change is recorded at a later millisecond than that moment.
    while (Date.now() <= at.getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
    return body;
  }

  async function worker(rng: Rng, client: Client): Promise<void> {
    const mine: Decision[] = [];
    for (let op = 0; op < OPERATIONS_PER_WORKER; op++) {
      const live = mine.filter((d) => ['draft', 'pending_ratification', 'adopted', 'ratified'].includes(d.status));
      const pending = live.filter((d) => d.status === 'pending_ratification');
      const current = live.length === 0 ? undefined : rng.pick(pending.length > 0 && rng.chance(0.5) ? pending : rng.chance(0.9) ? live : mine);
      const action = current === undefined || live.length < 3 || rng.chance(0.1) ? 'create' : rng.pick(ACTIONS[current.status]);
      let res: LightMyRequestResponse | undefined;
      let id = current?.id;
      if (action === 'create') {
        res = await client.post('/api/v1/decisions', {
          reference: `H-${randomUUID()}`,
          title: `History ${op}`,
          boardMeetingDate: day(-rng.int(5, 40)),
          commitments: [{ programmeId: rng.pick(programmes), year: 2026 + rng.int(0, 1), amountCents: rng.pick([5_000_000, 14_000_000, 25_000_000]) }],
          conditions: Array.from({ length: rng.int(0, 2) }, (_, i) => ({ description: `Condition ${i}`, dueDate: day(rng.int(-3, 3)) })),
        });
        if (res.statusCode === 201) id = res.json<Decision>().id;
      } else if (action === 'edit') {
        res = await client.patch(`/api/v1/decisions/${id}`, { summary: `Edited ${op}` });
      } else if (action === 'adopt') {
        res = await client.post(`/api/v1/decisions/${id}/adopt`);
      } else if (action === 'vote') {
        const open = current!.ratification.requiredMunicipalityIds.filter((m) => !current!.ratification.votes.some((v) => v.municipalityId === m));
        res = await client.post(`/api/v1/decisions/${id}/votes`, {
          municipalityId: open.length > 0 ? rng.pick(open) : rng.pick(municipalities),
          outcome: rng.chance(0.9) ? 'approve' : 'reject',
          decidedOn: day(0),
        });
      } else if (action === 'fulfil') {
        const condition = current!.conditions.find((c) => c.fulfilledOn === null);
        if (condition) res = await client.post(`/api/v1/decisions/${id}/conditions/${condition.id}/fulfil`, { fulfilledOn: day(0), evidence: 'done' });
      } else if (action === 'withdraw') {
        res = await client.post(`/api/v1/decisions/${id}/withdraw`, { reason: 'Withdrawn in the history test' });
      }
      if (res !== undefined) outcomes[`${action} ${res.statusCode}`] = (outcomes[`${action} ${res.statusCode}`] ?? 0) + 1;
      if (id === undefined) continue;
      // Each worker keeps to decisions of its own: a change by another could land between a GET and its moment.
      const latest = await record(id);
      const index = mine.findIndex((d) => d.id === id);
      if (index >= 0) mine[index] = latest;
      else mine.push(latest);
    }
  }

  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(seededRng(SEED + w), admin)));
  t.comment(`seed ${SEED}; ${served.length} answers recorded; ${JSON.stringify(outcomes)}`);
  t.ok(served.length >= WORKERS * OPERATIONS_PER_WORKER, 'an answer recorded after every operation');
  const statuses = new Set(served.map((s) => s.body.status));
  for (const status of ['draft', 'pending_ratification', 'adopted', 'ratified']) t.ok(statuses.has(status as Decision['status']), `the history reached ${status}`);

  let mismatches = 0;
  for (const then of served) {
    const res = await admin.get(`/api/v1/decisions/${then.id}?asOf=${then.at}`);
    const same = res.statusCode === 200 && res.headers.etag === then.etag && JSON.stringify(res.json()) === JSON.stringify(then.body);
    if (!same) {
      mismatches++;
      if (mismatches <= 3) t.same({ status: res.statusCode, etag: res.headers.etag, body: res.json() }, { status: 200, etag: then.etag, body: then.body }, `${then.id} at ${then.at}`);
    }
  }
  t.equal(mismatches, 0, `asOf answered every one of the ${served.length} recorded answers exactly`);
});
