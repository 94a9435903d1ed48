import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { AutocannonRequest } from 'autocannon';
import { openDatabase } from '../src/db/client.js';
import { systemClock, todayInAmsterdam } from '../src/domain/clock.js';
import type { ServiceContext } from '../src/use-cases/context.js';
import type { DecisionInput } from '../src/use-cases/decisions.js';
import { generateAuditEvents } from './lib/audit-gen.js';
import { primeDecisionViews, storeDecisionDocuments } from './lib/documents.js';
import { combine, measure, type Measurement } from './lib/cannon.js';
import { runBench, stopAllChildren, type Child } from './lib/child.js';
import { measureExport, type ExportMeasurement } from './lib/export.js';
import { requestJson } from './lib/http.js';
import { idPoolsOf, loadDataset, type Dataset } from './lib/load.js';
import { benchPool, createDatabase, databaseUrl, dropBenchDatabase, postgresVersion, sampleActivity, type ActivitySummary } from './lib/pg.js';
import { profileMarkdown, summariseProfile, type ProfileSummary } from './lib/profile.js';
import { fmt, markdownTable, writeResults, type Row } from './lib/report.js';
import { recordWriteScripts, type RecordedWrite } from './lib/same-statements.js';
import { BUILD_DIR, buildService, startBaseline, startService } from './lib/service.js';
import { BENCH_DIR, freePort, log, machineInfo, mapConcurrent, parseArgs, progress, timestamp } from './lib/util.js';

/**
 * The service against its baselines, in one run on one fresh database:
 *   npx tsx bench/run.ts            full: 10,000 decisions, 100,000+ audit events, 10 s per scenario
 *   npx tsx bench/run.ts --smoke    tiny data, ~1 s per scenario; exits 1 on any error or non-2xx
 * Options: --keep (keep the database), --tsx (service under tsx instead of compiled),
 * --only get,list,trivial,letter,metrics,create,vote,export (a subset), --profile [--profile-dir DIR]
 * (service under --cpu-prof; prints the self-time summary), --decisions N, --duration S,
 * --with-b-read (also the first round's B_read, a small row, to show the old ratios beside the new).
 * See bench/README.md for how to read the table.
 */
const { flags, values } = parseArgs(process.argv.slice(2));
const smoke = flags.has('smoke');
const keep = flags.has('keep');
const withBRead = flags.has('with-b-read');
const SCENARIOS = ['get', 'list', 'trivial', 'letter', 'metrics', 'create', 'vote', 'export'] as const;
/** The connections each write is measured at, against its same-statements baseline. */
const WRITE_CONNECTIONS = [1, 10, 32] as const;
type Scenario = (typeof SCENARIOS)[number];
const only = new Set((values.get('only') ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()) as Scenario[]);
for (const name of only) if (!SCENARIOS.includes(name)) throw new Error(`--only: unknown scenario ${name}; known: ${SCENARIOS.join(', ')}`);

const config = smoke
  ? { decisions: 200, votePool: 1_500, auditEvents: 3_000, durationS: 1, warmupS: 0.5, deepOffset: 150, deepLabel: 'page 4 (limit 50)' }
  : { decisions: 10_000, votePool: 5_000, auditEvents: 120_000, durationS: 10, warmupS: 2, deepOffset: 9_990, deepLabel: 'page 1,000 (offset 9,990)' };
if (values.has('decisions')) config.decisions = Number(values.get('decisions'));
if (values.has('vote-pool')) config.votePool = Number(values.get('vote-pool'));
if (values.has('audit-events')) config.auditEvents = Number(values.get('audit-events'));
if (values.has('duration')) config.durationS = Number(values.get('duration'));

const stamp = timestamp();
const runId = stamp.replace(/[^0-9]/g, '');
const dbName = `eszl_bench_${runId}`;
const dbUrl = databaseUrl(dbName);
const profileDir = flags.has('profile') ? path.resolve(values.get('profile-dir') ?? path.join(BUILD_DIR, `prof-${runId}`)) : undefined;
let created = false;
let service: Child | undefined;
const pool = benchPool(dbName, 4);

async function cleanup(): Promise<void> {
  await stopAllChildren();
  await pool.end().catch(() => undefined);
  if (created && !keep) {
    await dropBenchDatabase(dbName);
  }
}

const shuffle = <T>(items: T[]): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
};

/** Waits until the audit head has not moved for a second (at most a minute). */
async function waitForQuietTrail(): Promise<void> {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const seq = Number((await pool.query<{ seq: string }>('SELECT seq FROM audit_head')).rows[0]!.seq);
    if (seq !== last) {
      last = seq;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 1_000) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(): Promise<number> {
  const machine = machineInfo(await postgresVersion());
  log(`bench ${smoke ? 'smoke' : 'full'}: ${machine.cpu}, ${machine.cores} cores, ${machine.totalMemoryMiB} MiB, node ${machine.node}, PostgreSQL ${machine.postgres}`);
  const entry = buildService(flags.has('tsx'));

  // 1. A fresh database, migrated by openDatabase, loaded through the use cases.
  await createDatabase(dbName);
  created = true;
  log(`created database ${dbName}; migrations run by openDatabase`);
  const database = await openDatabase({ databaseUrl: dbUrl, dataDir: 'unused', poolSize: 10 });
  const ctx: ServiceContext = { database, clock: systemClock };
  const loadStart = Date.now();
  let dataset: Dataset;
  try {
    dataset = await loadDataset(ctx, { decisions: config.decisions, votePool: config.votePool });
  } finally {
    await database.close();
  }
  const useCaseSeconds = (Date.now() - loadStart) / 1000;
  const decisionIds = (await pool.query<{ id: string }>('SELECT id FROM decisions ORDER BY created_at, id')).rows.map((row) => row.id);
  const headAfterLoad = Number((await pool.query<{ seq: string }>('SELECT seq FROM audit_head')).rows[0]!.seq);
  log(`  use cases wrote ${decisionIds.length.toLocaleString('en')} decisions and ${headAfterLoad.toLocaleString('en')} audit events in ${useCaseSeconds.toFixed(1)} s`);
  let generatedEvents = 0;
  if (headAfterLoad < config.auditEvents) {
    generatedEvents = config.auditEvents - headAfterLoad;
    log(`topping the audit trail up with ${generatedEvents.toLocaleString('en')} generated chained events (about the loaded decisions)`);
    const client = await pool.connect();
    const report = progress('audit events', generatedEvents);
    try {
      await generateAuditEvents({ client, count: generatedEvents, ids: idPoolsOf(dataset, decisionIds), onProgress: report });
    } finally {
      client.release();
    }
    report(generatedEvents, true);
  }
  await pool.query('VACUUM ANALYZE');
  // A smaller --decisions than the deep page's offset: the deepest full page of this register instead.
  if (config.deepOffset > decisionIds.length - 60) {
    config.deepOffset = Math.max(50, Math.floor((decisionIds.length - 60) / 10) * 10);
    config.deepLabel = `offset ${config.deepOffset.toLocaleString('en')}`;
  }
  const volume = (
    await pool.query<Record<string, string>>(`SELECT
      (SELECT count(*) FROM decisions) AS decisions,
      (SELECT count(*) FROM decision_commitments) AS commitments,
      (SELECT count(*) FROM ratification_votes) AS votes,
      (SELECT count(*) FROM audit_events) AS audit_events,
      (SELECT count(DISTINCT year) FROM decision_commitments) AS years,
      (SELECT count(*) FROM decisions WHERE total_amount_cents >= 10000000) AS at_or_above_threshold,
      (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) n FROM decisions GROUP BY status) s) AS by_status`)
  ).rows[0]!;
  log(`  volume: ${JSON.stringify(volume)}`);
  const loadSeconds = (Date.now() - loadStart) / 1000;

  const today = todayInAmsterdam(systemClock);
  let createCounter = 0;
  const createBody = () => {
    const n = ++createCounter;
    const commitments = Array.from({ length: 1 + (n % 3) }, (_, c) => ({
      programmeId: dataset.programmeIds[(n + c) % dataset.programmeIds.length]!,
      year: 2026 + c,
      amountCents: 2_500_000 + c * 50_000,
      purpose: 'Projectleiding',
    }));
    return JSON.stringify({
      reference: `BENCH-${runId}-${n}`,
      title: `Benchmarkbesluit ${n}`,
      summary: 'Aangemaakt door de benchmark.',
      boardMeetingDate: today,
      applicantOrganisationId: dataset.applicantIds[n % dataset.applicantIds.length]!,
      commitments,
    });
  };
  const randomDecisionPath = (prefix: string) => (request: AutocannonRequest): AutocannonRequest => ({
    ...request,
    path: `${prefix}${decisionIds[Math.floor(Math.random() * decisionIds.length)]!}`,
  });
  const post = (pathName: string, headers: Record<string, string> = {}) => (request: AutocannonRequest): AutocannonRequest => ({
    ...request,
    method: 'POST',
    path: pathName,
    headers: { 'content-type': 'application/json', ...headers },
    body: createBody(),
  });
  const base = { durationS: config.durationS, warmupS: config.warmupS };
  /** Half a scenario's duration, for the A-B-B-A measurements; the first of each pair warms up. */
  const half = { durationS: config.durationS / 2, warmupS: 0 };

  // The statements of one vote and one create, recorded through the use cases, for B_same.
  let scriptFile: string | undefined;
  let recorded: { vote: RecordedWrite; create: RecordedWrite } | undefined;
  if (only.has('create') || only.has('vote')) {
    mkdirSync(BUILD_DIR, { recursive: true });
    scriptFile = path.join(BUILD_DIR, `same-statements-${runId}.json`);
    recorded = await recordWriteScripts({ databaseUrl: dbUrl, dataset, pool, createInput: JSON.parse(createBody()) as DecisionInput, file: scriptFile });
    log(`recorded the statements of one vote (${recorded.vote.statements} in ${recorded.vote.roundTrips} round trips) and one create (${recorded.create.statements} in ${recorded.create.roundTrips}) for B_same`);
  }

  const results: Record<string, Measurement> = {};
  const activity: Record<string, ActivitySummary> = {};
  /** A service scenario, with the database activity of the service's connections sampled during the measured run. */
  const measureService = async (key: string, options: Parameters<typeof measure>[0]): Promise<Measurement> => {
    let stop: (() => Promise<ActivitySummary>) | undefined;
    const measurement = await measure({
      ...options,
      beforeMeasure: () => {
        options.beforeMeasure?.();
        stop = sampleActivity(pool);
      },
    });
    if (stop) {
      activity[key] = await stop();
      log(`    database connections of the service, on average: ${JSON.stringify(activity[key].averageConnections)}`);
    }
    return measurement;
  };
  /**
   * A baseline and a service scenario in A-B-B-A order (baseline, scenario, scenario, baseline),
   * half the duration each: measured minutes apart, a drift of the machine's state weighed on one
   * side of the ratio only; now it weighs on both alike.
   */
  const measureBeside = async (key: string, baseline: Parameters<typeof measure>[0], scenario: Parameters<typeof measure>[0]) => {
    const b1 = await measure({ ...baseline, ...half, warmupS: config.warmupS });
    const s1 = await measureService(`${key}.a`, { ...scenario, ...half, warmupS: config.warmupS });
    const s2 = await measureService(`${key}.b`, { ...scenario, ...half });
    const b2 = await measure({ ...baseline, ...half });
    return { baseline: combine(b1, b2), scenario: combine(s1, s2) };
  };
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const reader = auth(dataset.keys.reader.key);

  // 2. The same-bytes baselines' documents: every decision as the service answers it, fetched from
  // a service instance without its decision cache, which then measures GET one decision uncached.
  let documents: { documents: number; bytes: number } | undefined;
  if (only.has('get') || only.has('list')) {
    const uncached = await startService({ entry, databaseUrl: dbUrl, env: { DECISION_CACHE_ENTRIES: '0' } });
    log(`storing every decision's JSON as the service answers it into bench_decision_json (service pid ${uncached.pid}, DECISION_CACHE_ENTRIES=0)`);
    documents = await storeDecisionDocuments({ serviceUrl: uncached.url, key: dataset.keys.reader.key, ids: decisionIds, pool });
    log(`  ${documents.documents.toLocaleString('en')} documents, ${(documents.bytes / documents.documents).toFixed(0)} bytes on average`);
    if (only.has('get')) {
      log('scenario: GET /api/v1/decisions/{id} without the decision cache (DECISION_CACHE_ENTRIES=0), random ids');
      results.getUncached = await measureService('getUncached', { ...base, label: 'GET decision, no cache @10', url: uncached.url, connections: 10, headers: reader, setupRequest: (request) => ({ ...randomDecisionPath('/api/v1/decisions/')(request), headers: reader }) });
    }
    await uncached.stop();
  }

  // 3. Baselines, each its own child process, measured before the service starts.
  const baselines: Record<string, Measurement> = {};
  // B_hello is measured beside the trivial route (A-B-B-A, below): it runs until then.
  let helloChild: Child | undefined;
  if (only.has('trivial')) {
    helloChild = await startBaseline('hello', dbUrl);
    log(`B_hello (pid ${helloChild.pid}), measured with the trivial route`);
  }
  // B_doc reads the documents stored above (for `get` and `list`); `trivial`'s small read is
  // compared with it when they are there. With `get`, B_doc is measured beside GET one decision
  // (A-B-B-A, below), and B_page beside the list: it runs until then.
  let docChild: Child | undefined;
  let pageChild: Child | undefined;
  const docOptions = { label: 'B_doc GET /decisions/:id (stored document) @10', connections: 10, setupRequest: randomDecisionPath('/decisions/') };
  if (documents !== undefined && (only.has('get') || only.has('trivial'))) {
    docChild = await startBaseline('doc', dbUrl);
    log(`B_doc (pid ${docChild.pid})${only.has('get') ? ', measured with GET one decision' : ''}`);
    if (!only.has('get')) {
      baselines.doc = await measure({ ...base, ...docOptions, url: docChild.url });
      await docChild.stop();
      docChild = undefined;
    }
  }
  if (only.has('list')) {
    pageChild = await startBaseline('page', dbUrl);
    log(`B_page (pid ${pageChild.pid}), measured with the list`);
  }
  if (withBRead && (only.has('get') || only.has('list'))) {
    const child = await startBaseline('read', dbUrl);
    log(`B_read (pid ${child.pid})`);
    baselines.read = await measure({ ...base, label: 'B_read GET /decisions/:id @10', url: child.url, connections: 10, setupRequest: randomDecisionPath('/decisions/') });
    await child.stop();
  }
  if (only.has('create') || only.has('vote')) {
    const child = await startBaseline('write', dbUrl);
    log(`B_write (pid ${child.pid})`);
    if (only.has('create')) baselines.write10 = await measure({ ...base, label: 'B_write POST /rows @10', url: child.url, connections: 10, setupRequest: post('/rows') });
    if (only.has('vote')) baselines.write32 = await measure({ ...base, label: 'B_write POST /rows @32', url: child.url, connections: 32, setupRequest: post('/rows') });
    await child.stop();
  }

  // 4. The service.
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  log(`starting the service (${entry.note}${profileDir ? `, --cpu-prof into ${profileDir}` : ''})`);
  const metricsPort = await freePort();
  service = await startService({ entry, databaseUrl: dbUrl, profileDir, env: { METRICS_PORT: String(metricsPort) } });
  log(`  service pid ${service.pid} at ${service.url}`);
  let exported: ExportMeasurement | undefined;
  let deepCursorNote = '';
  let votePairs = 0;
  let letterBurst: { letters: number; concurrency: number; seconds: number; statuses: Record<string, number> } | undefined;
  const letterProblems: string[] = [];
  const voteNotMeasured: number[] = [];
  let voteStoppedEarly = false;
  let primed: { requests: number; differing: number; seconds: number } | undefined;

  // A warm instance has answered its decisions before: every one is asked once, so that GET one
  // decision and the list are measured with the view cache filled (random ids over thousands of
  // decisions and a 2 s warm-up reached only part of them), and each answer is compared with the
  // uncached instance's bytes.
  if (documents !== undefined && (only.has('get') || only.has('list'))) {
    log(`asking the service for each of the ${decisionIds.length.toLocaleString('en')} decisions once (its view cache filled, as on a warm instance)`);
    primed = await primeDecisionViews({ serviceUrl: service.url, key: dataset.keys.reader.key, ids: decisionIds, pool });
    log(`  ${primed.requests.toLocaleString('en')} answers in ${primed.seconds.toFixed(1)} s, ${primed.differing} differing from the uncached instance's bytes`);
  }

  if (only.has('get')) {
    log('scenario: GET /api/v1/decisions/{id} (whole decision), random ids, with the decision cache, with B_doc, A-B-B-A');
    const get = { label: 'GET decision @10', url: service.url, connections: 10, headers: reader, setupRequest: (request: AutocannonRequest) => ({ ...randomDecisionPath('/api/v1/decisions/')(request), headers: reader }) };
    const measured = await measureBeside('get', { ...base, ...docOptions, url: docChild!.url }, { ...base, ...get });
    baselines.doc = measured.baseline;
    results.get = measured.scenario;
    await docChild!.stop();
    log(`  GET decision: ${results.get.reqPerSec.toFixed(0)} req/s against B_doc ${baselines.doc.reqPerSec.toFixed(0)} req/s`);
  }

  if (only.has('list')) {
    // The cursor at offset deepOffset, found by following nextCursor (limit 200 steps, then the rest).
    let cursor: string | null = null;
    let consumed = 0;
    let hops = 0;
    while (consumed < config.deepOffset) {
      const limit = Math.min(200, config.deepOffset - consumed);
      const query: string = `/api/v1/decisions?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await requestJson<{ items: unknown[]; nextCursor: string | null }>('GET', `${service.url}${query}`, dataset.keys.reader.key);
      if (page.status !== 200 || page.json.nextCursor === null) throw new Error(`paging to offset ${config.deepOffset} failed at ${consumed}: ${page.status}`);
      consumed += page.json.items.length;
      cursor = page.json.nextCursor;
      hops++;
    }
    deepCursorNote = `cursor after item ${consumed.toLocaleString('en')}, reached by following nextCursor ${hops} times`;
    // Page 1 and the deep page in A-B-B-A order, half the duration each time: a drift in the
    // machine's load (other processes) then weighs on both alike instead of on one of them.
    log(`scenario: GET /api/v1/decisions?limit=50, page 1 and ${config.deepLabel} (${deepCursorNote}), measured A-B-B-A, with B_page before and after`);
    const page1 = { label: 'list 50 page 1 @10', url: service.url, connections: 10, headers: reader, path: '/api/v1/decisions?limit=50' };
    const deep = { label: `list 50 ${config.deepLabel} @10`, url: service.url, connections: 10, headers: reader, path: `/api/v1/decisions?limit=50&cursor=${encodeURIComponent(cursor!)}` };
    // B_page around them, in the same order: B_page, page 1, deep, deep, page 1, B_page.
    const bPage = { label: 'B_page GET /decisions (50 stored documents) @10', url: pageChild!.url, connections: 10, path: '/decisions' };
    const p1 = await measure({ ...bPage, ...half, warmupS: config.warmupS });
    const a1 = await measureService('list1.a', { ...page1, ...half, warmupS: config.warmupS });
    const b1 = await measureService('listDeep.a', { ...deep, ...half, warmupS: config.warmupS / 2 });
    const b2 = await measureService('listDeep.b', { ...deep, ...half });
    const a2 = await measureService('list1.b', { ...page1, ...half });
    const p2 = await measure({ ...bPage, ...half });
    baselines.page = combine(p1, p2);
    await pageChild!.stop();
    results.list1 = combine(a1, a2);
    results.listDeep = combine(b1, b2);
    log(`  list 50 page 1: ${results.list1.reqPerSec.toFixed(0)} req/s; ${config.deepLabel}: ${results.listDeep.reqPerSec.toFixed(0)} req/s`);
  }

  if (only.has('trivial')) {
    // The bare server's rate moves with the machine's state far more than the service's
    // (27,054 to 49,251 req/s in the runs of one day when it ran minutes apart).
    log('scenario: GET /api/v1/api-keys/current (full stack on a trivial authenticated route: no query once the key is cached), with B_hello, A-B-B-A');
    const hello = { ...base, label: 'B_hello GET /hello @10', url: helloChild!.url, connections: 10, path: '/hello' };
    const trivial = { ...base, label: 'api-keys/current @10', url: service.url, connections: 10, headers: reader, path: '/api/v1/api-keys/current' };
    const measured = await measureBeside('trivial', hello, trivial);
    baselines.hello = measured.baseline;
    results.trivial = measured.scenario;
    await helloChild!.stop();
    log(`  api-keys/current: ${results.trivial.reqPerSec.toFixed(0)} req/s against B_hello ${baselines.hello.reqPerSec.toFixed(0)} req/s`);
    log('scenario: GET /api/v1/programmes?limit=1 (the same with one small query)');
    results.smallRead = await measureService('smallRead', { ...base, label: 'programmes?limit=1 @10', url: service.url, connections: 10, headers: reader, path: '/api/v1/programmes?limit=1' });
  }


  if (only.has('letter')) {
    // The letters of 20 (decision, municipality) pairs of the pending decisions, asked at random:
    // each is rendered once (its first request) and then answered from the instance's letter cache.
    const { rows } = await pool.query<{ id: string; municipality: string }>(`
      SELECT id, required_municipality_ids[1]::text AS municipality FROM decisions
      WHERE status = 'pending_ratification' ORDER BY created_at, id LIMIT 20`);
    // Asked cold, ten at a time: each is rendered once, in the letter threads (on the event loop,
    // ten cold PDFs at once made the instance shed load with 503 until they were done).
    const letterPath = (row: { id: string; municipality: string }) => `/api/v1/decisions/${row.id}/ratification-request?municipalityId=${row.municipality}`;
    const burstStart = Date.now();
    const burstStatuses: Record<string, number> = {};
    await mapConcurrent(rows, 10, async (row) => {
      const res = await fetch(`${service!.url}${letterPath(row)}`, { headers: { ...reader, accept: 'application/pdf' } });
      await res.arrayBuffer();
      burstStatuses[res.status] = (burstStatuses[res.status] ?? 0) + 1;
    });
    letterBurst = { letters: rows.length, concurrency: 10, seconds: (Date.now() - burstStart) / 1000, statuses: burstStatuses };
    log(`  ${rows.length} cold letters, ten at a time: ${letterBurst.seconds.toFixed(2)} s, statuses ${JSON.stringify(burstStatuses)}`);
    if (Object.keys(burstStatuses).some((status) => status !== '200')) letterProblems.push(`cold letters: statuses ${JSON.stringify(burstStatuses)}`);
    log(`scenario: GET /api/v1/decisions/{id}/ratification-request as PDF, ${rows.length} letters at random, from the letter cache`);
    results.letter = await measureService('letter', {
      ...base,
      label: 'ratification letter PDF @10',
      url: service.url,
      connections: 10,
      setupRequest: (request) => {
        const row = rows[Math.floor(Math.random() * rows.length)]!;
        return { ...request, path: letterPath(row), headers: { ...reader, accept: 'application/pdf' } };
      },
    });
  }

  if (only.has('metrics')) {
    log(`scenario: GET /metrics (the Prometheus scrape, on its own port ${metricsPort}), one scrape at a time, at ${decisionIds.length.toLocaleString('en')} decisions`);
    results.metrics = await measureService('metrics', { ...base, label: 'GET /metrics @1', url: `http://127.0.0.1:${metricsPort}`, connections: 1, path: '/metrics' });
  }

  if (only.has('create')) {
    for (const connections of WRITE_CONNECTIONS) {
      const key = connections === 10 ? 'create' : `create${connections}`;
      log(`scenario: POST /api/v1/decisions @${connections}, unique reference per request`);
      results[key] = await measureService(key, { ...base, label: `create decision @${connections}`, url: service.url, connections, setupRequest: post('/api/v1/decisions', auth(dataset.keys.secretariat.key)) });
    }
  }

  if (only.has('vote')) {
    // Every (pending decision, municipality that has not voted) pair, handed out once. All votes
    // approve, so no vote can be refused by an earlier rejection; the third approval ratifies.
    // The pairs of one decision are a whole round apart, so they rarely wait on each other's lock.
    const { rows } = await pool.query<{ id: string; required: string[]; voted: string[] }>(`
      SELECT d.id, d.required_municipality_ids::text[] AS required,
             coalesce(array_agg(v.municipality_id::text) FILTER (WHERE v.id IS NOT NULL), '{}') AS voted
      FROM decisions d LEFT JOIN ratification_votes v ON v.decision_id = d.id
      WHERE d.status = 'pending_ratification' GROUP BY d.id`);
    const remaining = shuffle(rows).map((row) => shuffle(row.required.filter((m) => !row.voted.includes(m))));
    const pairs: { decisionId: string; municipalityId: string }[] = [];
    for (let round = 0; round < 3; round++) {
      remaining.forEach((municipalities, i) => {
        const municipalityId = municipalities[round];
        if (municipalityId !== undefined) pairs.push({ decisionId: rows[i]!.id, municipalityId });
      });
    }
    votePairs = pairs.length;
    let next = 0;
    const margin = 256;
    const issued: [number, number][] = [];
    log(`vote pool: ${pairs.length.toLocaleString('en')} valid first votes on ${rows.length.toLocaleString('en')} pending decisions`);
    for (const connections of WRITE_CONNECTIONS) {
      const key = connections === 32 ? 'vote' : `vote${connections}`;
      if (pairs.length - next < 2 * margin) {
        voteNotMeasured.push(connections);
        log(`  note: cast vote @${connections} is not measured: ${pairs.length - next} valid first votes are left (raise --vote-pool)`);
        continue;
      }
      log(`scenario: POST /api/v1/decisions/{id}/votes @${connections}`);
      issued.length = 0;
      // Half the duration at 1 and 10 connections: the pool of valid first votes is spent once.
      results[key] = await measureService(key, {
        ...base,
        ...(connections !== 32 && { durationS: config.durationS / 2 }),
        label: `cast vote @${connections}`,
        url: service.url,
        connections,
        setupRequest: (request) => {
          const pair = pairs[next++];
          // Never reached with the margin below; should it be, a 404 shows up as non-2xx rather than a repeated vote.
          if (pair === undefined) return { ...request, method: 'GET', path: '/bench-vote-pool-exhausted' };
          return {
            ...request,
            method: 'POST',
            path: `/api/v1/decisions/${pair.decisionId}/votes`,
            headers: { 'content-type': 'application/json', ...auth(dataset.keys.college.get(pair.municipalityId)!.key) },
            body: JSON.stringify({ municipalityId: pair.municipalityId, outcome: 'approve', decidedOn: today, reference: `B&W-bench-${next}` }),
          };
        },
        // autocannon honours stop() only at its next one-second tick: keep 1.5 s of requests in reserve.
        shouldStop: () => {
          const now = Date.now();
          issued.push([now, next]);
          while (issued.length > 1 && now - issued[0]![0] > 1_000) issued.shift();
          const perSecond = issued.length > 1 ? ((next - issued[0]![1]) * 1_000) / Math.max(now - issued[0]![0], 1) : 0;
          const stop = next >= pairs.length - Math.max(margin, 1.5 * perSecond);
          if (stop) voteStoppedEarly = true;
          return stop;
        },
      });
    }
    if (voteStoppedEarly) log(`  note: the vote run stopped early after ${next} pairs: the pool of valid first votes ran out (raise --vote-pool)`);
  }

  if (only.has('export')) {
    // Requests that were in flight when the load generator stopped may still be committing.
    await waitForQuietTrail();
    log('scenario: GET /api/v1/exports/audit-events (NDJSON) beside COPY of the same rows');
    exported = await measureExport({ service, key: dataset.keys.auditor.key, database: dbName, pool });
  }

  const exitCode = await service.stop();
  log(`service stopped (exit ${exitCode})`);
  service = undefined;
  // 5. B_same: the recorded vote and create replayed, measured with the service stopped. Its votes
  // go to municipalities of its own (added now, after the service's scenarios), so the pairs never
  // run out: request n votes on decision n mod D for municipality floor(n / D).
  if (scriptFile !== undefined) {
    const benchMunicipalities = (
      await pool.query<{ id: string }>(`INSERT INTO organisations (name, kind) SELECT 'Benchmarkgemeente ' || g, 'municipality' FROM generate_series(1, 40) g RETURNING id`)
    ).rows.map((row) => row.id);
    const child = await startBaseline('same', dbUrl, { BENCH_SCRIPT: scriptFile });
    log(`B_same (pid ${child.pid}): the recorded statements replayed`);
    let n = 0;
    const sameVote = (request: AutocannonRequest): AutocannonRequest => {
      const i = n++;
      return {
        ...request,
        method: 'POST',
        path: '/votes',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ decisionId: decisionIds[i % decisionIds.length], municipalityId: benchMunicipalities[Math.floor(i / decisionIds.length) % benchMunicipalities.length] }),
      };
    };
    for (const connections of WRITE_CONNECTIONS) {
      if (only.has('create')) baselines[`sameCreate${connections}`] = await measure({ ...base, label: `B_same create @${connections}`, url: child.url, connections, setupRequest: post('/decisions') });
      if (only.has('vote')) baselines[`sameVote${connections}`] = await measure({ ...base, label: `B_same vote @${connections}`, url: child.url, connections, setupRequest: sameVote });
    }
    await child.stop();
  }

  let profile: ProfileSummary | undefined;
  if (profileDir) {
    const newest = readdirSync(profileDir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => path.join(profileDir, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (newest) {
      profile = summariseProfile(newest);
      process.stdout.write(`\n${newest}\n${profileMarkdown(profile)}\n`);
    } else {
      log(`no .cpuprofile found in ${profileDir}`);
    }
  }

  // 6. The table.
  const rows: Row[] = [];
  const problems: string[] = [...voteNotMeasured.map((connections) => `cast vote @${connections}: not measured, the vote pool ran out (raise --vote-pool)`), ...letterProblems, ...(primed !== undefined && primed.differing > 0 ? [`${primed.differing} decisions answered by the cached instance differ from the uncached instance's bytes`] : [])];
  const errorCell = (m: Measurement) => `${m.errors + m.timeouts} / ${m.non2xx}`;
  const check = (name: string, m: Measurement | undefined, expected?: string) => {
    if (m === undefined) return;
    if (m.errors + m.timeouts > 0 || m.non2xx > 0) problems.push(`${name}: ${m.errors} errors, ${m.timeouts} timeouts, ${m.non2xx} non-2xx ${JSON.stringify(m.statusCodes)}`);
    if (expected !== undefined && Object.keys(m.statusCodes).some((code) => code !== expected)) problems.push(`${name}: status codes other than ${expected}: ${JSON.stringify(m.statusCodes)}`);
    if (m.requests === 0) problems.push(`${name}: no requests completed`);
  };
  const baselineRow = (name: string, m: Measurement | undefined) => {
    if (m === undefined) return;
    check(name, m);
    rows.push({ scenario: name, reqPerSec: fmt.rate(m.reqPerSec), p50Ms: fmt.ms(m.p50Ms), p99Ms: fmt.ms(m.p99Ms), errors: errorCell(m), baseline: '-', ratio: '-', goal: '-', met: null });
  };
  baselineRow('B_hello: bare Fastify GET /hello @10', baselines.hello);
  baselineRow('B_doc: Fastify + pg, 1 PK SELECT of the stored document @10', baselines.doc);
  baselineRow('B_page: Fastify + pg, 50 stored documents by keyset @10', baselines.page);
  baselineRow('B_read (first round): Fastify + pg, 1 PK SELECT of the small row @10', baselines.read);
  baselineRow('B_write: Fastify + pg, 1 INSERT @10', baselines.write10);
  baselineRow('B_write: Fastify + pg, 1 INSERT @32', baselines.write32);
  for (const c of WRITE_CONNECTIONS) {
    if (recorded) baselineRow(`B_same create: its ${recorded.create.statements} statements in ${recorded.create.roundTrips} round trips @${c}`, baselines[`sameCreate${c}`]);
  }
  for (const c of WRITE_CONNECTIONS) {
    if (recorded) baselineRow(`B_same vote: its ${recorded.vote.statements} statements in ${recorded.vote.roundTrips} round trips, sealed at COMMIT @${c}`, baselines[`sameVote${c}`]);
  }
  /** A service scenario against its baseline; without `minRatio` the row has no goal (met: null). */
  const scenarioRow = (name: string, m: Measurement | undefined, against: { name: string; m: Measurement | undefined }, minRatio: number | undefined, goal: string, extra?: (m: Measurement) => boolean) => {
    if (m === undefined) return;
    check(name, m, name.startsWith('cast vote') ? '201' : undefined);
    const ratio = against.m ? m.reqPerSec / against.m.reqPerSec : Number.NaN;
    const clean = m.errors + m.timeouts === 0 && m.non2xx === 0;
    const met = against.m && minRatio !== undefined ? clean && ratio >= minRatio && (extra ? extra(m) : true) : null;
    rows.push({
      scenario: name,
      reqPerSec: fmt.rate(m.reqPerSec),
      p50Ms: fmt.ms(m.p50Ms),
      p99Ms: fmt.ms(m.p99Ms),
      errors: errorCell(m),
      baseline: against.m ? `${against.name} ${fmt.rate(against.m.reqPerSec)}` : 'n/a',
      ratio: fmt.ratio(ratio),
      goal,
      met,
    });
  };
  scenarioRow('GET one decision @10', results.get, { name: 'B_doc', m: baselines.doc }, 0.6, '>= 0.6 x, p99 <= 10 ms', (m) => m.p99Ms <= 10);
  scenarioRow('GET one decision, no cache @10 (before)', results.getUncached, { name: 'B_doc', m: baselines.doc }, undefined, '-');
  if (baselines.read) {
    scenarioRow('GET one decision @10, old ratio', results.get, { name: 'B_read', m: baselines.read }, undefined, '-');
    scenarioRow('GET one decision, no cache @10, old ratio', results.getUncached, { name: 'B_read', m: baselines.read }, undefined, '-');
  }
  scenarioRow('list 50 decisions, page 1 @10', results.list1, { name: 'B_page', m: baselines.page }, 0.4, '>= 0.4 x, p99 <= 50 ms', (m) => m.p99Ms <= 50);
  if (baselines.read) scenarioRow('list 50 decisions, page 1 @10, old ratio', results.list1, { name: 'B_read', m: baselines.read }, undefined, '-');
  scenarioRow(`list 50 decisions, ${config.deepLabel} @10`, results.listDeep, { name: 'page 1', m: results.list1 }, 0.8, 'within 20 % of page 1');
  scenarioRow('create decision @10', results.create, { name: 'B_write@10', m: baselines.write10 }, 0.3, '>= 0.3 x');
  scenarioRow('cast vote @32', results.vote, { name: 'B_write@32', m: baselines.write32 }, 0.3, '>= 0.3 x, 0 errors, only 201');
  for (const c of WRITE_CONNECTIONS) {
    const goal = c === 32 ? 0.5 : undefined;
    scenarioRow(`create decision @${c}, same statements`, results[c === 10 ? 'create' : `create${c}`], { name: `B_same create@${c}`, m: baselines[`sameCreate${c}`] }, goal, goal ? '>= 0.5 x, 0 errors' : '-');
  }
  for (const c of WRITE_CONNECTIONS) {
    const goal = c === 32 ? 0.5 : undefined;
    scenarioRow(`cast vote @${c}, same statements`, results[c === 32 ? 'vote' : `vote${c}`], { name: `B_same vote@${c}`, m: baselines[`sameVote${c}`] }, goal, goal ? '>= 0.5 x, 0 errors, only 201' : '-');
  }
  scenarioRow('full stack: GET api-keys/current @10', results.trivial, { name: 'B_hello', m: baselines.hello }, 0.6, '>= 0.6 x');
  scenarioRow(
    `ratification letter (PDF), 20 letters at random, from the letter cache @10 (first asked cold, ten at a time: ${letterBurst === undefined ? '-' : `${letterBurst.seconds.toFixed(2)} s, ${JSON.stringify(letterBurst.statuses)}`})`,
    results.letter,
    { name: 'B_doc', m: baselines.doc },
    undefined,
    '-',
  );
  scenarioRow(`Prometheus scrape GET /metrics @1, ${decisionIds.length.toLocaleString('en')} decisions (p50 = scrape time)`, results.metrics, { name: 'B_hello', m: baselines.hello }, undefined, '-');
  scenarioRow('GET programmes?limit=1 @10 (one small query)', results.smallRead, { name: 'B_doc', m: baselines.doc }, undefined, '-');
  if (exported) {
    const growthOk = exported.rss.growthKiB < (50 * 1000 * 1000) / 1024;
    rows.push({
      scenario: `NDJSON audit export, ${exported.export.lines.toLocaleString('en')} rows (rows/s)`,
      reqPerSec: fmt.rate(exported.export.rowsPerSecond),
      p50Ms: '-',
      p99Ms: '-',
      errors: exported.export.status === 200 && exported.export.lines === exported.headSeq ? '0 / 0' : `status ${exported.export.status}, ${exported.export.lines} lines`,
      baseline: `COPY ${fmt.rate(exported.copyRowsPerSecond)} rows/s`,
      ratio: fmt.ratio(exported.ratioToCopy),
      goal: `>= 0.5 x COPY; RSS +${fmt.mib(exported.rss.growthKiB)} (< 50 MB)`,
      met: exported.ratioToCopy >= 0.5 && growthOk,
    });
    if (exported.export.status !== 200 || exported.export.lines !== exported.headSeq) problems.push(`export: status ${exported.export.status}, ${exported.export.lines} lines for head ${exported.headSeq}`);
  }
  const million = latestMillionExport();
  if (million) {
    rows.push({
      scenario: `NDJSON audit export, 1M events: not rerun, from ${million.file}`,
      reqPerSec: fmt.rate(million.rowsPerSecond),
      p50Ms: '-',
      p99Ms: '-',
      errors: '-',
      baseline: `COPY ${fmt.rate(million.copyRowsPerSecond)} rows/s`,
      ratio: fmt.ratio(million.ratioToCopy),
      goal: `>= 0.5 x COPY; RSS +${fmt.mib(million.growthKiB)} per ${million.events.toLocaleString('en')} events (< 50 MB per 1M)`,
      met: million.ratioToCopy >= 0.5 && million.growthKiB < ((50 * 1000 * 1000) / 1024) * (million.events / 1_000_000),
    });
  }
  const markdown = markdownTable(rows);
  const file = writeResults(smoke ? 'smoke' : 'full', {
    mode: smoke ? 'smoke' : 'full',
    startedAt: stamp,
    machine,
    service: entry.note,
    config,
    database: { name: dbName, kept: keep },
    volume: { ...volume, useCaseSeconds, generatedAuditEvents: generatedEvents, loadSeconds, dataset: { statusCounts: dataset.statusCounts, votesCast: dataset.votesCast } },
    documents,
    baselines,
    scenarios: results,
    databaseActivity: activity,
    primedViews: primed,
    list: { deepOffset: config.deepOffset, note: deepCursorNote },
    vote: { pairsAvailable: votePairs, stoppedEarly: voteStoppedEarly },
    recordedWrites: recorded,
    letters: { coldBurst: letterBurst },
    export: exported,
    profile,
    problems,
    table: markdown,
  });
  process.stdout.write(`\n${markdown}\n\n`);
  log(`results: ${path.relative(process.cwd(), file)}`);
  for (const problem of problems) log(`PROBLEM: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

/** The export goal per 1M events, from the newest committed `npm run bench:audit` result (this run exports far fewer). */
function latestMillionExport(): { file: string; events: number; rowsPerSecond: number; copyRowsPerSecond: number; ratioToCopy: number; growthKiB: number } | undefined {
  const dir = path.join(BENCH_DIR, 'results');
  const file = readdirSync(dir).filter((name) => name.endsWith('-audit-1m.json')).sort().at(-1);
  if (file === undefined) return undefined;
  const { export: e } = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    export: { headSeq: number; copyRowsPerSecond: number; ratioToCopy: number; export: { rowsPerSecond: number }; rss: { growthKiB: number } };
  };
  return { file: `bench/results/${file}`, events: e.headSeq, rowsPerSecond: e.export.rowsPerSecond, copyRowsPerSecond: e.copyRowsPerSecond, ratioToCopy: e.ratioToCopy, growthKiB: e.rss.growthKiB };
}

await runBench(main, cleanup, () => service?.output());
