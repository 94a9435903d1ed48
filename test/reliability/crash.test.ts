import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { sql, type SQL } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.js';
import { todayInAmsterdam, systemClock } from '../../src/domain/clock.js';
import { seededRng } from '../helpers/concurrency.js';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/database.js';
import { httpClient, killIfRunning, startServer, waitUntilReady, type HttpAnswer, type ServerProcess } from './support/crash-server.js';

/**
 * Crash safety: the real server (a child process) is killed with SIGKILL in the middle of a burst
 * of writes (creates with commitments and a condition, adoptions, ratification votes, college
 * decisions voting on one or two pending decisions at once, payments on binding decisions, 16 in
 * flight), after about 40 % of the answers have arrived, and started again on the same database:
 * the PostgreSQL database named by DATABASE_URL's server, or, without DATABASE_URL, the embedded
 * PGlite in a data directory on disk, which thereby also has to survive an unclean stop.
 *
 * Afterwards every write that was acknowledged (2xx) must be there as acknowledged, no decision may
 * be half written (without commitments or condition, or with a total that is not their sum; no
 * payment without what it paid counted on its commitment, or the other way round; no college
 * decision without all the votes it was sent with, no vote naming a college decision that is not
 * there), nothing may be paid beyond its commitment, the audit chain must verify, and decisions and
 * their decision.created events (votes and vote.cast, adoptions and decision.adopted, payments and
 * disbursement.recorded, college decisions and college_decision.recorded) must match one to one.
 * Writes in flight at the kill may or may not have committed; whichever it was, they must have
 * committed whole.
 *
 * CRASH_WRITES sets the size of the burst (default 1,000), CRASH_SEED the seed.
 */

const WRITES = Number(process.env.CRASH_WRITES ?? 1_000);
const SEED = Number(process.env.CRASH_SEED ?? 20260302);
const IN_FLIGHT = 16;
const KILL_AFTER_ANSWERS = Math.round(WRITES * 0.4);
const ADMIN_API_KEY = `crash-admin-${randomBytes(14).toString('hex')}`; // 40 characters
const THRESHOLD_CENTS = 10_000_000;
// Dates in the past whatever the machine's clock says: the child runs on the system clock.
const BOARD_MEETING_DATE = '2020-01-15';
const DECIDED_ON = '2020-02-01';

type Kind = 'create' | 'adopt' | 'vote' | 'college' | 'disburse';

interface Attempt {
  index: number;
  kind: Kind;
  path: string;
  body: Record<string, unknown>;
  decisionId: string | undefined;
  reference: string | undefined;
  /** Set when an HTTP answer arrived. */
  status?: number;
  response?: unknown;
  /** Set when no answer arrived (the connection died or was refused). */
  error?: string;
  sentAfterKill: boolean;
}

interface DecisionJson {
  id: string;
  reference: string;
  status: string;
  totalAmountCents: number;
  commitments: { id: string; programmeId: string; year: number; amountCents: number; disbursedCents: number }[];
  conditions: { id: string }[];
  ratification: { requiredMunicipalityIds: string[]; votes: { id: string; municipalityId: string; outcome: string; collegeDecisionId: string | null }[] };
}

interface CollegeDecisionJson {
  id: string;
  municipalityId: string;
  reference: string;
  votes: { id: string; decisionId: string; municipalityId: string; outcome: string }[];
}

interface EventJson {
  seq: number;
  action: string;
  resourceId: string;
  data: { vote?: { id: string }; disbursement?: { id: string }; collegeDecision?: { id: string; votes: { id: string }[] } };
}

interface PaymentJson {
  id: string;
  decisionId: string;
  commitmentId: string;
  amountCents: number;
}

const ok = (a: Attempt) => a.status !== undefined && a.status >= 200 && a.status < 300;
const commitmentKey = (c: { programmeId: string; year: number; amountCents: number }) => `${c.programmeId}/${c.year}/${c.amountCents}`;

async function query<T>(database: Database, text: SQL): Promise<T[]> {
  return ((await database.db.execute(text)) as unknown as { rows: T[] }).rows;
}

t.test(`SIGKILL during a burst of ${WRITES} writes loses no acknowledged write and leaves nothing half written`, async (t) => {
  const onPostgres = testDatabaseUrl() !== undefined;
  t.comment(`CRASH_SEED=${SEED} CRASH_WRITES=${WRITES}, ${IN_FLIGHT} in flight, SIGKILL after ${KILL_AFTER_ANSWERS} answers`);

  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  if (onPostgres) {
    database = await createTestDatabase({ poolSize: 2 });
    t.teardown(() => database!.close());
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'eszl-crash-'));
    t.teardown(() => rm(dataDir!, { recursive: true, force: true }));
  }
  const env: Record<string, string> = {
    ADMIN_API_KEY,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: String(IN_FLIGHT),
    ...(database?.url !== undefined ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir! }),
  };
  t.comment(onPostgres ? 'PostgreSQL: a throw-away database on the DATABASE_URL server' : `PGlite on disk in ${dataDir}`);

  const servers: ServerProcess[] = [];
  t.teardown(() => servers.forEach(killIfRunning));
  const started = performance.now();
  const first = await startServer(env);
  servers.push(first);
  await waitUntilReady(first, 90_000);
  const startMs = performance.now() - started;
  let call = httpClient(first.baseUrl, ADMIN_API_KEY);

  // Fixture over HTTP: the three centre municipalities and two programmes.
  const expectCreated = (answer: HttpAnswer, what: string) => {
    if (answer.status !== 201) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as { id: string };
  };
  const municipalityIds: string[] = [];
  for (const name of ['Gemeente Heerlen', 'Gemeente Sittard-Geleen', 'Gemeente Maastricht']) {
    municipalityIds.push(expectCreated(await call('POST', '/api/v1/organisations', { name, kind: 'municipality', centreMunicipality: true }), name).id);
  }
  const programmeIds: string[] = [];
  for (const code of ['WTMR', 'AMKB']) {
    programmeIds.push(expectCreated(await call('POST', '/api/v1/programmes', { code: `${code}-${SEED % 10_000}`, name: code }), code).id);
  }

  // The burst.
  const rng = seededRng(SEED);
  const attempts: Attempt[] = [];
  const drafts: string[] = [];
  const pending: string[] = [];
  /** Commitments of decisions that bind (adopted at once): what payments go to. */
  const payable: { decisionId: string; commitmentId: string }[] = [];
  // The child runs on the system clock: a decision adopted now began to bind today, and is paid today.
  const paidOn = todayInAmsterdam(systemClock);
  const requests = new Map<string, Attempt>();
  const plan = (index: number): Attempt => {
    const roll = rng.next();
    const base = { index, sentAfterKill: false, reference: undefined as string | undefined };
    if (drafts.length === 0 || roll < 0.4) {
      const reference = `CRASH-${SEED}-${index}`;
      const big = rng.chance(0.7);
      const commitments = Array.from({ length: rng.int(1, 2) }, () => ({
        programmeId: rng.pick(programmeIds),
        year: rng.int(2026, 2027),
        amountCents: big ? rng.int(6_000_000, 12_000_000) : rng.int(1_000_000, 4_000_000),
        purpose: `crash ${index}`,
      }));
      const body = {
        reference,
        title: `Crash decision ${index}`,
        boardMeetingDate: BOARD_MEETING_DATE,
        commitments,
        conditions: [{ description: `Deliver the result criteria of decision ${index}`, dueDate: '2030-06-30' }],
      };
      return { ...base, kind: 'create', path: '/api/v1/decisions', body, decisionId: undefined, reference };
    }
    if (payable.length > 0 && roll > 0.85) {
      const { decisionId, commitmentId } = rng.pick(payable);
      const body = { commitmentId, amountCents: rng.int(100_000, 900_000), paidOn, reference: `BET ${index}` };
      return { ...base, kind: 'disburse', path: `/api/v1/decisions/${decisionId}/disbursements`, body, decisionId };
    }
    if (roll < 0.65 || pending.length === 0) {
      // Mostly a draft nobody adopted yet; now and then one again (a 409).
      const at = rng.int(0, drafts.length - 1);
      const id = drafts[at]!;
      if (rng.chance(0.85)) drafts.splice(at, 1);
      return { ...base, kind: 'adopt', path: `/api/v1/decisions/${id}/adopt`, body: {}, decisionId: id };
    }
    if (roll < 0.75) {
      const id = rng.pick(pending);
      const body = { municipalityId: rng.pick(municipalityIds), outcome: rng.chance(0.85) ? 'approve' : 'reject', decidedOn: DECIDED_ON, reference: `B&W ${index}` };
      return { ...base, kind: 'vote', path: `/api/v1/decisions/${id}/votes`, body, decisionId: id };
    }
    // One college's decision on one or two pending decisions: all of its votes or none (a 409 when
    // one of them was voted on already).
    const ids = [...new Set(Array.from({ length: rng.int(1, 2) }, () => rng.pick(pending)))];
    const reference = `CB-${SEED}-${index}`;
    const votes = ids.map((decisionId) => ({ decisionId, outcome: rng.chance(0.85) ? 'approve' : 'reject' }));
    const body = { municipalityId: rng.pick(municipalityIds), decidedOn: DECIDED_ON, reference, votes };
    return { ...base, kind: 'college', path: '/api/v1/college-decisions', body, decisionId: undefined, reference };
  };

  let next = 0;
  let answers = 0;
  let killedAt: number | undefined;
  const burstStarted = performance.now();
  const worker = async () => {
    while (next < WRITES) {
      const attempt = plan(next++);
      attempt.sentAfterKill = killedAt !== undefined;
      attempts.push(attempt);
      if (attempt.reference !== undefined) requests.set(attempt.reference, attempt);
      try {
        const answer = await call('POST', attempt.path, attempt.body);
        attempt.status = answer.status;
        attempt.response = answer.body;
        answers++;
        if (ok(attempt)) {
          const body = answer.body as { id: string; status?: string; commitments?: { id: string }[] };
          if (attempt.kind === 'create') drafts.push(body.id);
          if (attempt.kind === 'adopt' && body.status === 'pending_ratification') pending.push(attempt.decisionId!);
          if (attempt.kind === 'adopt' && body.status === 'adopted') {
            for (const c of body.commitments ?? []) payable.push({ decisionId: attempt.decisionId!, commitmentId: c.id });
          }
        }
        if (killedAt === undefined && answers >= KILL_AFTER_ANSWERS) {
          process.kill(first.pid, 'SIGKILL');
          killedAt = performance.now() - burstStarted;
        }
      } catch (error) {
        attempt.error = String((error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const exit = await first.exited;
  t.same(exit, { code: null, signal: 'SIGKILL' }, 'the first server process died of SIGKILL');

  const acknowledged = attempts.filter(ok);
  const inFlightAtKill = attempts.filter((a) => a.status === undefined && !a.sentAfterKill);
  const answeredAfterKill = attempts.filter((a) => a.status !== undefined && a.sentAfterKill);
  t.comment(
    `burst: ${attempts.length} writes sent, ${answers} answered (${acknowledged.length} 2xx), SIGKILL after ${killedAt?.toFixed(0)} ms; ` +
      `${inFlightAtKill.length} in flight at the kill, ${attempts.filter((a) => a.sentAfterKill).length} sent after it (refused)`,
  );
  t.ok(killedAt !== undefined, 'the server was killed during the burst');
  t.equal(answeredAfterKill.length, 0, 'nothing answered a request sent after the kill');
  t.same(attempts.filter((a) => (a.status ?? 0) >= 500).map((a) => `${a.kind} ${a.status} ${JSON.stringify(a.response)}`), [], 'no 5xx before the kill');
  const unexpected = attempts.filter((a) => a.status !== undefined && !ok(a) && !(a.status === 409 && a.kind !== 'create'));
  t.same(unexpected.map((a) => `${a.kind} ${a.status} ${JSON.stringify(a.response)}`), [], 'every refusal is a 409 on adopt, vote, college decision or payment');
  const sentOf = (kind: Kind) => attempts.filter((a) => a.kind === kind);
  // A burst of a few hundred writes reaches binding decisions and pending ones before the kill.
  if (WRITES >= 500) t.ok(sentOf('college').some(ok) && sentOf('disburse').some(ok), 'the burst had acknowledged college decisions and payments');

  // Restart on the same database or data directory.
  const restarted = performance.now();
  const second = await startServer(env);
  servers.push(second);
  try {
    await waitUntilReady(second, 90_000);
  } catch (error) {
    t.fail(`the server does not start again after SIGKILL: ${(error as Error).message}`);
    return;
  }
  const restartMs = performance.now() - restarted;
  t.pass(`the server started again on the same ${onPostgres ? 'database' : 'PGlite data directory'} in ${restartMs.toFixed(0)} ms`);
  call = httpClient(second.baseUrl, ADMIN_API_KEY);

  // Everything the restarted server holds, through the API.
  const everyPage = async <T>(path: string): Promise<T[]> => {
    const items: T[] = [];
    const separator = path.includes('?') ? '&' : '?';
    for (let cursor: string | null = null, page = 0; page === 0 || cursor !== null; page++) {
      const answer = await call('GET', `${path}${separator}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      const body = answer.body as { items: T[]; nextCursor: string | null };
      items.push(...body.items);
      cursor = body.nextCursor;
    }
    return items;
  };
  const decisions = await everyPage<DecisionJson>('/api/v1/decisions');
  const events = await everyPage<EventJson>('/api/v1/audit-events?resourceType=decision');
  const collegeEvents = await everyPage<EventJson>('/api/v1/audit-events?resourceType=college-decision');
  const payments = await everyPage<PaymentJson>('/api/v1/disbursements');
  const collegeDecisions = await everyPage<CollegeDecisionJson>('/api/v1/college-decisions');
  const collegeDecisionsById = new Map(collegeDecisions.map((c) => [c.id, c]));
  const paymentsById = new Map(payments.map((p) => [p.id, p]));
  const byId = new Map(decisions.map((d) => [d.id, d]));
  const votes = new Map(decisions.flatMap((d) => d.ratification.votes.map((v) => [v.id, { ...v, decisionId: d.id }] as const)));

  // 1. Every acknowledged write is there, as acknowledged.
  const lost: string[] = [];
  const present: Record<Kind, { acknowledged: number; present: number }> = {
    create: { acknowledged: 0, present: 0 },
    adopt: { acknowledged: 0, present: 0 },
    vote: { acknowledged: 0, present: 0 },
    college: { acknowledged: 0, present: 0 },
    disburse: { acknowledged: 0, present: 0 },
  };
  for (const attempt of acknowledged) {
    present[attempt.kind].acknowledged++;
    const response = attempt.response as DecisionJson & { municipalityId?: string; outcome?: string };
    let problem: string | undefined;
    if (attempt.kind === 'create') {
      const stored = byId.get(response.id);
      if (stored === undefined) problem = 'missing';
      else if (stored.commitments.map((c) => `${c.id}/${commitmentKey(c)}`).join() !== response.commitments.map((c) => `${c.id}/${commitmentKey(c)}`).join()) problem = 'other commitments';
      else if (stored.conditions.map((c) => c.id).join() !== response.conditions.map((c) => c.id).join()) problem = 'other conditions';
      else if (stored.totalAmountCents !== response.totalAmountCents) problem = `total ${stored.totalAmountCents}`;
    } else if (attempt.kind === 'adopt') {
      const status = byId.get(attempt.decisionId!)?.status;
      const allowed = response.status === 'adopted' ? ['adopted'] : ['pending_ratification', 'ratified', 'rejected'];
      if (!allowed.includes(status ?? 'missing')) problem = `acknowledged as ${response.status}, now ${status ?? 'missing'}`;
    } else if (attempt.kind === 'disburse') {
      const stored = paymentsById.get((attempt.response as { id: string }).id);
      if (stored === undefined) problem = 'missing';
      else if (stored.decisionId !== attempt.decisionId || stored.commitmentId !== attempt.body.commitmentId || stored.amountCents !== attempt.body.amountCents) {
        problem = `stored as ${JSON.stringify(stored)}`;
      }
    } else if (attempt.kind === 'college') {
      const acknowledgedAs = attempt.response as CollegeDecisionJson;
      const stored = collegeDecisionsById.get(acknowledgedAs.id);
      const sent = attempt.body.votes as { decisionId: string; outcome: string }[];
      const heldVotes = acknowledgedAs.votes.map((v) => votes.get(v.id));
      if (stored === undefined) problem = 'missing';
      else if (stored.municipalityId !== attempt.body.municipalityId || stored.reference !== attempt.reference) problem = `stored as ${JSON.stringify(stored)}`;
      else if (stored.votes.map((v) => `${v.id}/${v.decisionId}/${v.outcome}`).join() !== acknowledgedAs.votes.map((v) => `${v.id}/${v.decisionId}/${v.outcome}`).join()) {
        problem = `votes ${JSON.stringify(stored.votes)}, acknowledged ${JSON.stringify(acknowledgedAs.votes)}`;
      } else if (acknowledgedAs.votes.map((v) => `${v.decisionId}/${v.outcome}`).join() !== sent.map((v) => `${v.decisionId}/${v.outcome}`).join()) {
        problem = `acknowledged votes differ from the request: ${JSON.stringify(acknowledgedAs.votes)}`;
      } else if (heldVotes.some((v, i) => v === undefined || v.decisionId !== sent[i]!.decisionId || v.collegeDecisionId !== stored.id)) {
        problem = 'a vote is missing from its decision, or does not name the college decision';
      }
    } else {
      const stored = votes.get((attempt.response as { id: string }).id);
      if (stored === undefined) problem = 'missing';
      else if (stored.decisionId !== attempt.decisionId || stored.municipalityId !== attempt.body.municipalityId || stored.outcome !== attempt.body.outcome) problem = `stored as ${JSON.stringify(stored)}`;
    }
    if (problem === undefined) present[attempt.kind].present++;
    else lost.push(`#${attempt.index} ${attempt.kind} ${attempt.path}: ${problem}`);
  }
  t.same(lost, [], 'every acknowledged write is present after the restart');

  // 2. Nothing is half written: every decision is its whole request, whether acknowledged or not.
  const halfWritten: string[] = [];
  for (const decision of decisions) {
    const request = requests.get(decision.reference);
    const sum = decision.commitments.reduce((total, c) => total + c.amountCents, 0);
    if (decision.commitments.length === 0) halfWritten.push(`${decision.id}: no commitments`);
    if (sum !== decision.totalAmountCents) halfWritten.push(`${decision.id}: total ${decision.totalAmountCents}, commitments sum to ${sum}`);
    if (request === undefined) {
      halfWritten.push(`${decision.id}: reference ${decision.reference} was never sent`);
      continue;
    }
    const sent = request.body.commitments as { programmeId: string; year: number; amountCents: number }[];
    if (decision.commitments.map(commitmentKey).join() !== sent.map(commitmentKey).join()) halfWritten.push(`${decision.id}: commitments differ from the request`);
    if (decision.conditions.length !== 1) halfWritten.push(`${decision.id}: ${decision.conditions.length} conditions, 1 sent`);
  }
  for (const decision of decisions) {
    for (const c of decision.commitments) {
      const paid = payments.filter((p) => p.commitmentId === c.id).reduce((sum, p) => sum + p.amountCents, 0);
      if (paid !== c.disbursedCents) halfWritten.push(`${decision.id}: commitment ${c.id} shows ${c.disbursedCents} paid, its payments sum to ${paid}`);
    }
  }
  t.same(halfWritten, [], `no half-written decision or payment among the ${decisions.length} decisions and ${payments.length} payments (checked through the API)`);

  // A college decision is all of its votes or nothing, and no vote names a college decision that is not there.
  const halfRecorded: string[] = [];
  for (const college of collegeDecisions) {
    const request = requests.get(college.reference);
    if (request === undefined || request.kind !== 'college') {
      halfRecorded.push(`${college.id}: reference ${college.reference} was never sent`);
      continue;
    }
    const sent = request.body.votes as { decisionId: string; outcome: string }[];
    if (college.municipalityId !== request.body.municipalityId) halfRecorded.push(`${college.id}: of ${college.municipalityId}, sent for ${String(request.body.municipalityId)}`);
    if (college.votes.map((v) => `${v.decisionId}/${v.outcome}`).join() !== sent.map((v) => `${v.decisionId}/${v.outcome}`).join()) {
      halfRecorded.push(`${college.id}: votes ${JSON.stringify(college.votes)}, sent ${JSON.stringify(sent)}`);
    }
    for (const vote of college.votes) {
      const held = votes.get(vote.id);
      if (held === undefined || held.decisionId !== vote.decisionId || held.collegeDecisionId !== college.id) halfRecorded.push(`${college.id}: vote ${vote.id} is not on decision ${vote.decisionId}`);
    }
  }
  for (const [id, vote] of votes) {
    if (vote.collegeDecisionId === null) continue;
    const college = collegeDecisionsById.get(vote.collegeDecisionId);
    if (college === undefined || !college.votes.some((v) => v.id === id)) halfRecorded.push(`vote ${id} names college decision ${vote.collegeDecisionId}, which does not hold it`);
  }
  t.same(halfRecorded, [], `no half-recorded college decision among ${collegeDecisions.length} (checked through the API)`);

  // Money: nothing is paid beyond what was committed, per commitment and per decision.
  const overpaid: string[] = [];
  for (const decision of decisions) {
    const paid = payments.filter((p) => p.decisionId === decision.id).reduce((sum, p) => sum + p.amountCents, 0);
    if (paid > decision.totalAmountCents) overpaid.push(`${decision.id}: paid ${paid} of ${decision.totalAmountCents}`);
    for (const c of decision.commitments) if (c.disbursedCents > c.amountCents) overpaid.push(`${decision.id}: commitment ${c.id} paid ${c.disbursedCents} of ${c.amountCents}`);
  }
  t.same(overpaid, [], `disbursed never exceeds what was committed (${payments.length} payments)`);

  // 3. Invariants of ratification hold on what survived.
  const broken: string[] = [];
  for (const d of decisions) {
    const approvals = new Set(d.ratification.votes.filter((v) => v.outcome === 'approve').map((v) => v.municipalityId));
    const rejections = d.ratification.votes.filter((v) => v.outcome === 'reject').length;
    if (new Set(d.ratification.votes.map((v) => v.municipalityId)).size !== d.ratification.votes.length) broken.push(`${d.id}: a municipality voted twice`);
    if (d.status === 'ratified' && !d.ratification.requiredMunicipalityIds.every((m) => approvals.has(m))) broken.push(`${d.id}: ratified without every approval`);
    if ((d.status === 'ratified' || d.status === 'adopted' || d.status === 'pending_ratification') && rejections > 0) broken.push(`${d.id}: ${d.status} with a rejection`);
    if (d.status === 'pending_ratification' && d.ratification.requiredMunicipalityIds.every((m) => approvals.has(m))) broken.push(`${d.id}: still pending with every approval`);
    if (d.status !== 'draft' && (d.totalAmountCents >= THRESHOLD_CENTS) !== (d.status !== 'adopted')) broken.push(`${d.id}: ${d.status} with total ${d.totalAmountCents}`);
  }
  t.same(broken, [], 'no decision is ratified without every approval, or binding with a rejection');

  // 4. The audit trail verifies and matches the data one to one.
  const verify = await call('GET', '/api/v1/audit-events/verify');
  t.match(verify, { status: 200, body: { valid: true, firstInvalidSeq: null } }, 'the audit chain verifies after the restart');
  const sorted = (ids: Iterable<string>) => [...ids].sort();
  const createdEvents = events.filter((e) => e.action === 'decision.created').map((e) => e.resourceId);
  t.same(sorted(createdEvents), sorted(byId.keys()), `every decision has exactly one decision.created event and vice versa (${createdEvents.length})`);
  const castEvents = events.filter((e) => e.action === 'vote.cast').map((e) => e.data.vote?.id ?? '?');
  t.same(sorted(castEvents), sorted(votes.keys()), `every vote has exactly one vote.cast event and vice versa (${castEvents.length})`);
  const adoptedEvents = events.filter((e) => e.action === 'decision.adopted').map((e) => e.resourceId);
  t.same(sorted(adoptedEvents), sorted(decisions.filter((d) => d.status !== 'draft').map((d) => d.id)), 'every adopted decision has one decision.adopted event and vice versa');
  const paymentEvents = events.filter((e) => e.action === 'disbursement.recorded').map((e) => e.data.disbursement?.id ?? '?');
  t.same(sorted(paymentEvents), sorted(paymentsById.keys()), `every payment has exactly one disbursement.recorded event and vice versa (${paymentEvents.length})`);
  const collegeRecorded = collegeEvents.filter((e) => e.action === 'college_decision.recorded');
  t.same(sorted(collegeRecorded.map((e) => e.resourceId)), sorted(collegeDecisionsById.keys()), `every college decision has exactly one college_decision.recorded event and vice versa (${collegeRecorded.length})`);
  const eventVotesDiffer = collegeRecorded.filter(
    (e) => (e.data.collegeDecision?.votes ?? []).map((v) => v.id).join() !== (collegeDecisionsById.get(e.resourceId)?.votes ?? []).map((v) => v.id).join(),
  );
  t.same(eventVotesDiffer.map((e) => e.seq), [], "each college_decision.recorded event names the college decision's votes");
  const settledEvents = events.filter((e) => e.action === 'decision.ratified' || e.action === 'decision.rejected').map((e) => e.resourceId);
  t.same(sorted(settledEvents), sorted(decisions.filter((d) => d.status === 'ratified' || d.status === 'rejected').map((d) => d.id)), 'every settled decision has one settling event');

  // 5. The restarted server takes new writes and the chain goes on.
  const after = await call('POST', '/api/v1/decisions', {
    reference: `CRASH-${SEED}-after`,
    title: 'Written after the restart',
    boardMeetingDate: BOARD_MEETING_DATE,
    commitments: [{ programmeId: programmeIds[0], year: 2026, amountCents: 1_000_000 }],
  });
  t.equal(after.status, 201, 'a new decision can be created after the restart');
  const verifyAfter = await call('GET', '/api/v1/audit-events/verify');
  t.match(verifyAfter, { status: 200, body: { valid: true } }, 'and the chain still verifies');

  // 6. The same checks in SQL: on PostgreSQL directly, on PGlite once the server has stopped cleanly.
  let sqlDatabase = database?.database;
  if (!onPostgres) {
    process.kill(second.pid, 'SIGTERM');
    const stopped = await second.exited;
    t.same(stopped, { code: 0, signal: null }, 'the restarted server stops cleanly on SIGTERM');
    sqlDatabase = await openDatabase({ dataDir: dataDir! });
    t.teardown(() => sqlDatabase!.close());
  }
  const db = sqlDatabase!;
  const noCommitments = await query<{ id: string }>(db, sql`select d.id from decisions d where not exists (select 1 from decision_commitments c where c.decision_id = d.id)`);
  const wrongTotal = await query<{ id: string }>(
    db,
    sql`select d.id from decisions d join decision_commitments c on c.decision_id = d.id group by d.id, d.total_amount_cents having sum(c.amount_cents) <> d.total_amount_cents`,
  );
  const noCondition = await query<{ id: string }>(
    db,
    sql`select d.id from decisions d where d.reference like 'CRASH-%' and d.reference not like '%-after' and (select count(*) from decision_conditions c where c.decision_id = d.id) <> 1`,
  );
  const orphanEvents = await query<{ seq: string }>(
    db,
    sql`select e.seq::text as seq from audit_events e where e.action = 'decision.created' and not exists (select 1 from decisions d where d.id = e.resource_id)`,
  );
  const withoutEvent = await query<{ id: string }>(
    db,
    sql`select d.id from decisions d where (select count(*) from audit_events e where e.action = 'decision.created' and e.resource_id = d.id) <> 1`,
  );
  const head = await query<{ ok: boolean }>(
    db,
    sql`select (select seq from audit_head where id = 1) = (select max(seq) from audit_events)
          and (select hash from audit_head where id = 1) = (select hash from audit_events order by seq desc limit 1) as ok`,
  );
  t.same(noCommitments, [], 'SQL: every decision has at least one commitment');
  t.same(wrongTotal, [], 'SQL: every total is the sum of its commitments');
  t.same(noCondition, [], 'SQL: every burst decision has its one condition');
  t.same(orphanEvents, [], 'SQL: every decision.created event has its decision');
  t.same(withoutEvent, [], 'SQL: every decision has exactly one decision.created event');
  const paidMismatch = await query<{ id: string }>(
    db,
    sql`select c.id from decision_commitments c
         where c.disbursed_cents <> (select coalesce(sum(p.amount_cents), 0) from disbursements p where p.commitment_id = c.id)`,
  );
  t.same(head, [{ ok: true }], 'SQL: the audit head is the last event');
  t.same(paidMismatch, [], 'SQL: what each commitment shows as paid is the sum of its payments');
  const overpaidRows = await query<{ id: string }>(
    db,
    sql`select c.id from decision_commitments c where c.disbursed_cents > c.amount_cents
        union all
        select d.id from decisions d where d.total_amount_cents < (select coalesce(sum(p.amount_cents), 0) from disbursements p where p.decision_id = d.id)`,
  );
  t.same(overpaidRows, [], 'SQL: no commitment and no decision is paid beyond what was committed');
  const paymentWithoutEvent = await query<{ id: string }>(
    db,
    sql`select p.id from disbursements p
         where (select count(*) from audit_events e where e.action = 'disbursement.recorded' and e.resource_id = p.decision_id and e.data->'disbursement'->>'id' = p.id::text) <> 1`,
  );
  t.same(paymentWithoutEvent, [], 'SQL: every payment has exactly one disbursement.recorded event');
  const collegeWithoutVotes = await query<{ id: string }>(
    db,
    sql`select cd.id from college_decisions cd where not exists (select 1 from ratification_votes v where v.college_decision_id = cd.id)`,
  );
  const collegeWithoutEvent = await query<{ id: string }>(
    db,
    sql`select cd.id from college_decisions cd
         where (select count(*) from audit_events e where e.action = 'college_decision.recorded' and e.resource_id = cd.id) <> 1`,
  );
  t.same(collegeWithoutVotes, [], 'SQL: every college decision has its votes');
  t.same(collegeWithoutEvent, [], 'SQL: every college decision has exactly one college_decision.recorded event');

  // Writes in flight at the kill that committed although nobody heard of it (allowed, reported).
  const acknowledgedVoteIds = new Set([
    ...acknowledged.filter((a) => a.kind === 'vote').map((a) => (a.response as { id: string }).id),
    ...acknowledged.filter((a) => a.kind === 'college').flatMap((a) => (a.response as CollegeDecisionJson).votes.map((v) => v.id)),
  ]);
  const acknowledgedCollegeIds = new Set(acknowledged.filter((a) => a.kind === 'college').map((a) => (a.response as { id: string }).id));
  const acknowledgedPaymentIds = new Set(acknowledged.filter((a) => a.kind === 'disburse').map((a) => (a.response as { id: string }).id));
  const acknowledgedAdoptions = new Set(acknowledged.filter((a) => a.kind === 'adopt').map((a) => a.decisionId));
  const silentCreates = inFlightAtKill.filter((a) => a.kind === 'create' && decisions.some((d) => d.reference === a.reference)).length;
  const silentAdoptions = decisions.filter((d) => d.status !== 'draft' && !acknowledgedAdoptions.has(d.id)).length;
  const silentVotes = [...votes.keys()].filter((id) => !acknowledgedVoteIds.has(id)).length;
  const inFlightOf = (kind: Kind) => inFlightAtKill.filter((a) => a.kind === kind).length;
  t.comment(
    `acknowledged/present after the restart: creates ${present.create.acknowledged}/${present.create.present}, ` +
      `adoptions ${present.adopt.acknowledged}/${present.adopt.present}, votes ${present.vote.acknowledged}/${present.vote.present}, ` +
      `college decisions ${present.college.acknowledged}/${present.college.present}, ` +
      `payments ${present.disburse.acknowledged}/${present.disburse.present}; ` +
      `in flight at the kill and committed anyway: creates ${silentCreates}/${inFlightOf('create')}, adoptions ${silentAdoptions}/${inFlightOf('adopt')}, ` +
      `votes ${silentVotes}/${inFlightOf('vote') + inFlightOf('college')}, college decisions ${collegeDecisions.filter((c) => !acknowledgedCollegeIds.has(c.id)).length}/${inFlightOf('college')}, payments ${payments.filter((p) => !acknowledgedPaymentIds.has(p.id)).length}/${inFlightOf('disburse')}; ` +
      `${decisions.length} decisions held`,
  );
  t.comment(`timing: first start ${startMs.toFixed(0)} ms, burst to kill ${killedAt?.toFixed(0)} ms, restart ${restartMs.toFixed(0)} ms`);
});
