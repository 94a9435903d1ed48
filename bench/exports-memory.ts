import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { openDatabase } from '../src/db/client.js';
import { generateAuditEvents } from './lib/audit-gen.js';
import { runBench, sampleRss, stopAllChildren, type Child } from './lib/child.js';
import { generateDecisions } from './lib/decision-gen.js';
import { requestJson, streamLines } from './lib/http.js';
import { benchPool, createDatabase, databaseUrl, dropBenchDatabase, postgresVersion, timeCopy, type CopyTiming } from './lib/pg.js';
import { fmt, metCell, table, writeResults } from './lib/report.js';
import { ADMIN_API_KEY, buildService, memoryProbeArgs, memoryProbeEnv, startService } from './lib/service.js';
import { log, machineInfo, parseArgs, progress, timestamp } from './lib/util.js';

/**
 * Memory of the streamed documents other than the audit export (bench/audit-1m.ts measures that
 * one), on 100,000 decisions generated in SQL (`--decisions N`):
 *   - `GET /exports/snapshot`: every organisation, programme and whole decision;
 *   - `GET /open-data/360giving.json`: one grant per binding decision;
 *   - `GET /decisions/{id}/history`, every page of 200 followed by its cursor, of one decision
 *     with 20,000 generated events (`--history-events N`), each carrying the decision as the
 *     service renders it (so their hashes no longer chain: nothing here verifies the trail).
 * Each is measured with the service's VmRSS sampled every 100 ms (growth = peak - before), beside
 * a COPY of the rows it is made of (the decision rows alone for the snapshot and the package;
 * their children and the JSON are extra work the yardstick does not do). The service runs with
 * `--max-old-space-size` (default 64 MiB): a document held whole in memory fails with it.
 * Goal: growth < 50 MB per document. `--keep` keeps the database, `--memory-log FILE` writes the
 * service's process.memoryUsage() every 100 ms (bench/lib/memory-probe.mjs).
 */
const { flags, values } = parseArgs(process.argv.slice(2));
const decisionCount = Number(values.get('decisions') ?? 100_000);
const historyEvents = Number(values.get('history-events') ?? 20_000);
const maxOldSpaceMiB = Number(values.get('max-old-space-size') ?? 64);
const memoryLog = values.get('memory-log');
const keep = flags.has('keep');
const stamp = timestamp();
const dbName = `eszl_bench_${stamp.replace(/[^0-9]/g, '')}_exports`;
const pool = benchPool(dbName, 2);
let created = false;
let service: Child | undefined;

interface StreamMeasurement {
  name: string;
  request: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  copy: CopyTiming & { query: string };
  ratioToCopy: number;
  rss: ReturnType<ReturnType<typeof sampleRss>> & { growthKiB: number };
}

async function cleanup(): Promise<void> {
  await stopAllChildren();
  await pool.end().catch(() => undefined);
  if (created && !keep) await dropBenchDatabase(dbName);
}

async function measure(name: string, request: string, copyQuery: string, run: () => Promise<{ status: number; rows: number; bytes: number }>): Promise<StreamMeasurement> {
  log(`${name}: COPY yardstick`);
  const copy = await timeCopy(dbName, copyQuery);
  log(`  ${fmt.rate(copy.rowsPerSecond)} rows/s (${copy.rows.toLocaleString('en')} rows in ${copy.seconds.toFixed(2)} s)`);
  log(`${name}: ${request}, sampling the service's VmRSS every 100 ms`);
  const stop = sampleRss(service!.pid, 100);
  const started = process.hrtime.bigint();
  const result = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = stop();
  if (result.status !== 200) throw new Error(`${request} answered ${result.status}`);
  const measured = {
    name,
    request,
    rows: result.rows,
    bytes: result.bytes,
    seconds,
    rowsPerSecond: result.rows / seconds,
    copy: { ...copy, query: copyQuery },
    ratioToCopy: result.rows / seconds / copy.rowsPerSecond,
    rss: { ...rss, growthKiB: rss.peakKiB - rss.beforeKiB },
  };
  log(
    `  ${result.rows.toLocaleString('en')} rows, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB in ${seconds.toFixed(2)} s: ${fmt.rate(measured.rowsPerSecond)} rows/s; ` +
      `RSS ${fmt.mib(rss.beforeKiB)} -> peak ${fmt.mib(rss.peakKiB)} (+${fmt.mib(measured.rss.growthKiB)})`,
  );
  return measured;
}

/** Every page of a decision's history, followed by its cursor over one keep-alive connection. */
async function walkHistory(url: string): Promise<{ status: number; rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  let cursor: string | null = null;
  do {
    const response = await fetch(`${url}?limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, { headers: { authorization: `Bearer ${ADMIN_API_KEY}` } });
    const text = await response.text();
    if (response.status !== 200) return { status: response.status, rows, bytes };
    bytes += text.length;
    const page = JSON.parse(text) as { items: unknown[]; nextCursor: string | null };
    rows += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { status: 200, rows, bytes };
}

async function main(): Promise<number> {
  const machine = machineInfo(await postgresVersion());
  log(`exports memory bench: ${decisionCount.toLocaleString('en')} decisions, ${historyEvents.toLocaleString('en')} history events; ${machine.cpu}, ${machine.cores} cores`);
  const entry = buildService(flags.has('tsx'));
  await createDatabase(dbName);
  created = true;
  const database = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: 'unused', poolSize: 2 });
  await database.close();

  const client = await pool.connect();
  let historyDecisionId: string;
  try {
    log(`generating ${decisionCount.toLocaleString('en')} decisions in SQL`);
    await generateDecisions(client, decisionCount);
    const { rows } = await client.query<{ id: string; kind: string }>(
      `select id::text, 'decision' as kind from (select id from decisions where status = 'ratified' order by created_at, id limit 1) d
       union all select id::text, 'municipality' from organisations where centre_municipality
       union all select id::text, 'applicant' from (select id from organisations where kind = 'applicant' order by name limit 60) a
       union all select id::text, 'programme' from programmes`,
    );
    const of = (kind: string) => rows.filter((row) => row.kind === kind).map((row) => row.id);
    historyDecisionId = of('decision')[0]!;
    const municipalities = of('municipality').sort();
    log(`generating ${historyEvents.toLocaleString('en')} chained audit events, all about decision ${historyDecisionId}`);
    const report = progress('events written', historyEvents);
    await generateAuditEvents({
      client,
      count: historyEvents,
      onProgress: report,
      ids: {
        decisions: [historyDecisionId],
        organisations: of('applicant'),
        municipalities,
        programmes: of('programme'),
        secretariatKeyId: randomUUID(),
        collegeKeyIds: new Map(municipalities.map((id) => [id, randomUUID()])),
      },
    });
    report(historyEvents, true);
    await client.query('vacuum analyze audit_events');
  } finally {
    client.release();
  }
  const { rows: counts } = await pool.query<{ binding: string; history: string }>(
    `select (select count(*) from decisions where status in ('adopted', 'ratified', 'settled'))::text as binding,
            (select count(*) from audit_events where resource_type = 'decision' and resource_id = $1 and jsonb_typeof(data -> 'decision') = 'object')::text as history`,
    [historyDecisionId],
  );

  log(`starting the service (${entry.note}, --max-old-space-size=${maxOldSpaceMiB})`);
  service = await startService({
    entry,
    databaseUrl: databaseUrl(dbName),
    nodeArgs: [`--max-old-space-size=${maxOldSpaceMiB}`, ...memoryProbeArgs(memoryLog)],
    env: memoryProbeEnv(memoryLog),
  });
  const url = service.url;
  // The generated events carry made-up decisions; the history answers them in the API's shape, so
  // they are given the decision as the service renders it (the chain's hashes no longer match:
  // nothing here verifies it).
  const rendered = await requestJson(`GET`, `${url}/api/v1/decisions/${historyDecisionId}`, ADMIN_API_KEY);
  if (rendered.status !== 200) throw new Error(`GET /decisions/${historyDecisionId} answered ${rendered.status}`);
  await pool.query(
    `update audit_events set data = jsonb_set(data, '{decision}', $2::jsonb)
      where resource_type = 'decision' and resource_id = $1 and jsonb_typeof(data -> 'decision') = 'object'`,
    [historyDecisionId, JSON.stringify(rendered.json)],
  );
  await pool.query('vacuum analyze audit_events');
  const bytesOf = async (request: string, rows: number) => {
    const result = await streamLines(`${url}${request}`, ADMIN_API_KEY);
    return { status: result.status, rows, bytes: result.bytes };
  };
  const measurements = [
    await measure('snapshot', '/api/v1/exports/snapshot', 'SELECT * FROM decisions ORDER BY created_at, id', () => bytesOf('/api/v1/exports/snapshot', decisionCount)),
    await measure(
      '360Giving package',
      '/api/v1/open-data/360giving.json',
      "SELECT * FROM decisions WHERE status IN ('adopted', 'ratified', 'settled') ORDER BY created_at, id",
      () => bytesOf('/api/v1/open-data/360giving.json', Number(counts[0]!.binding)),
    ),
    await measure(
      'decision history',
      `/api/v1/decisions/${historyDecisionId}/history (pages of 200)`,
      `SELECT * FROM audit_events WHERE resource_type = 'decision' AND resource_id = '${historyDecisionId}' AND jsonb_typeof(data -> 'decision') = 'object' ORDER BY seq`,
      () => walkHistory(`${url}/api/v1/decisions/${historyDecisionId}/history`),
    ),
  ];
  await service.stop();
  service = undefined;

  const goalKiB = (50 * 1000 * 1000) / 1024;
  const headers = ['document', 'rows', 'MiB', 'seconds', 'rows/s', 'COPY rows/s', 'vs COPY', 'RSS before -> peak (growth)', 'goal', 'met?'];
  const lines = measurements.map((m) => [
    m.name,
    fmt.rate(m.rows),
    (m.bytes / 1024 / 1024).toFixed(1),
    m.seconds.toFixed(2),
    fmt.rate(m.rowsPerSecond),
    fmt.rate(m.copy.rowsPerSecond),
    fmt.ratio(m.ratioToCopy),
    `${fmt.mib(m.rss.beforeKiB)} -> ${fmt.mib(m.rss.peakKiB)} (+${fmt.mib(m.rss.growthKiB)})`,
    'growth < 50 MB',
    metCell(m.rss.growthKiB < goalKiB),
  ]);
  const markdown = table(headers, lines);
  const problems: string[] = [];
  const expectedHistory = Number(counts[0]!.history);
  if (measurements[2]!.rows !== expectedHistory) problems.push(`history has ${measurements[2]!.rows} items, the trail ${expectedHistory}`);
  const file = writeResults(decisionCount === 100_000 ? 'exports-memory' : `exports-memory-${decisionCount}`, {
    mode: 'exports-memory',
    startedAt: stamp,
    machine,
    service: entry.note,
    maxOldSpaceMiB,
    database: { name: dbName, kept: keep, decisions: decisionCount, historyEvents, historyDecisionId },
    measurements,
    goals: Object.fromEntries(measurements.map((m) => [m.name, m.rss.growthKiB < goalKiB])),
    problems,
    table: markdown,
  });
  process.stdout.write(`\n${markdown}\n\n`);
  log(`results: ${path.relative(process.cwd(), file)}`);
  if (keep) log(`kept database ${dbName}`);
  for (const problem of problems) log(`PROBLEM: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

await runBench(main, cleanup, () => service?.output());
