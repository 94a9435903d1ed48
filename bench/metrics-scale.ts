import { openDatabase } from '../src/db/client.js';
import { measure, type Measurement } from './lib/cannon.js';
import { runBench, stopAllChildren, type Child } from './lib/child.js';
import { benchPool, createDatabase, databaseUrl, dropBenchDatabase, postgresVersion } from './lib/pg.js';
import { fmt, table, writeResults } from './lib/report.js';
import { buildService, startBaseline, startService } from './lib/service.js';
import { freePort, log, machineInfo, parseArgs, timestamp } from './lib/util.js';

/**
 * The Prometheus scrape (`GET /metrics` on its own port) at register sizes the full bench cannot
 * load in a run (it creates decisions through the use cases, a few per second once the fund is
 * large): a fresh database whose `decisions` table is filled in bulk with SQL, in every status
 * (a quarter of the pending ones past their ratification deadline), to each size of `--sizes`
 * in turn (default 10,000 and 100,000). The scrape counts decisions by status and the overdue
 * ones; nothing else it reads grows with decisions. The rows are only what the scrape reads:
 * no commitments, votes or audit events. Measured one scrape at a time (as Prometheus scrapes),
 * its p50 is the scrape time; B_hello (a bare `GET /hello`) runs beside it as the floor.
 * Options: --sizes N,N,... --duration S (default 10) --warmup S (default 2) --keep.
 */
const { flags, values } = parseArgs(process.argv.slice(2));
const sizes = (values.get('sizes') ?? '10000,100000').split(',').map(Number);
if (sizes.some((size) => !Number.isSafeInteger(size) || size < 1) || sizes.some((size, i) => i > 0 && size <= sizes[i - 1]!)) {
  throw new Error('--sizes must be increasing positive integers');
}
const durationS = Number(values.get('duration') ?? 10);
const warmupS = Number(values.get('warmup') ?? 2);
const keep = flags.has('keep');
const stamp = timestamp();
const dbName = `eszl_bench_${stamp.replace(/[^0-9]/g, '')}_metrics`;

const STATUSES = ['draft', 'pending_ratification', 'adopted', 'ratified', 'rejected', 'withdrawn', 'superseded', 'settled'] as const;

let service: Child | undefined;
let created = false;
const pool = benchPool(dbName, 2);

async function cleanup(): Promise<void> {
  await stopAllChildren();
  await pool.end().catch(() => undefined);
  if (created && !keep) await dropBenchDatabase(dbName);
}

/** Decisions number `from` + 1 to `to`, their status by number, valid under every check of the table. */
async function insertDecisions(from: number, to: number): Promise<void> {
  await pool.query(
    `INSERT INTO decisions (reference, title, board_meeting_date, status, total_amount_cents, adopted_at, adopted_on,
                            statute_rule_version, ratification_reason, ratification_due_date, settled_on)
     SELECT 'BENCH-' || n, 'Bench decision ' || n, DATE '2026-01-15', s.status, 1000000 + n,
            CASE WHEN s.status = 'draft' THEN NULL ELSE TIMESTAMPTZ '2026-01-16 10:00:00+00' END,
            CASE WHEN s.status = 'draft' THEN NULL ELSE DATE '2026-01-16' END,
            CASE WHEN s.status = 'draft' THEN NULL ELSE 1 END,
            CASE WHEN s.status = 'pending_ratification' THEN 'threshold' END,
            CASE WHEN s.status = 'pending_ratification' THEN
              CASE WHEN n % 4 = 0 THEN current_date - 10 ELSE current_date + 30 END END,
            CASE WHEN s.status = 'settled' THEN DATE '2026-11-30' END
       FROM generate_series($1::int + 1, $2::int) AS n
       CROSS JOIN LATERAL (SELECT ($3::text[])[1 + n % ${STATUSES.length}] AS status) s`,
    [from, to, STATUSES],
  );
  await pool.query('ANALYZE decisions');
}

async function main(): Promise<number> {
  const machine = machineInfo(await postgresVersion());
  log(`metrics bench: sizes ${sizes.map((size) => size.toLocaleString('en')).join(', ')}; ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, PostgreSQL ${machine.postgres}`);
  const entry = buildService(false);
  await createDatabase(dbName);
  created = true;
  const url = databaseUrl(dbName);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 2 });
  await database.close();

  const base = { durationS, warmupS };
  const hello = await startBaseline('hello', url);
  log(`B_hello (pid ${hello.pid})`);
  const baseline = await measure({ ...base, label: 'B_hello GET /hello @1', url: hello.url, connections: 1, path: '/hello' });
  await hello.stop();

  const metricsPort = await freePort();
  service = await startService({ entry, databaseUrl: url, env: { METRICS_PORT: String(metricsPort) } });
  log(`service pid ${service.pid}, metrics on port ${metricsPort}`);
  const runs: { decisions: number; scrape: Measurement; bytes: number; pendingOverdue: number }[] = [];
  let have = 0;
  const problems: string[] = [];
  for (const size of sizes) {
    log(`inserting decisions ${(have + 1).toLocaleString('en')} to ${size.toLocaleString('en')}`);
    await insertDecisions(have, size);
    have = size;
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    const text = await response.text();
    const counted = [...text.matchAll(/^eszl_decisions\{status="[a-z_]+"\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    const overdue = Number(/^eszl_ratifications_overdue (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
    if (counted !== size) problems.push(`at ${size} decisions the scrape counted ${counted}`);
    const scrape = await measure({ ...base, label: `GET /metrics @1, ${size.toLocaleString('en')} decisions`, url: `http://127.0.0.1:${metricsPort}`, connections: 1, path: '/metrics' });
    if (scrape.errors > 0 || scrape.non2xx > 0) problems.push(`at ${size} decisions: ${scrape.errors} errors, ${scrape.non2xx} non-2xx`);
    runs.push({ decisions: size, scrape, bytes: text.length, pendingOverdue: overdue });
  }
  await service.stop();
  service = undefined;

  const markdown = table(
    ['scrape', 'decisions', 'scrapes/s', 'p50 ms (scrape time)', 'p99 ms', 'bytes'],
    [
      ['B_hello GET /hello', '-', fmt.rate(baseline.reqPerSec), String(baseline.p50Ms), String(baseline.p99Ms), '-'],
      ...runs.map((run) => [
        'GET /metrics',
        run.decisions.toLocaleString('en'),
        fmt.rate(run.scrape.reqPerSec),
        String(run.scrape.p50Ms),
        String(run.scrape.p99Ms),
        run.bytes.toLocaleString('en'),
      ]),
    ],
  );
  const file = writeResults('metrics-scale', { mode: 'metrics-scale', startedAt: stamp, machine, durationS, warmupS, baseline, runs, problems, table: markdown });
  process.stdout.write(`\n${markdown}\n\n`);
  log(`results: ${file}`);
  for (const problem of problems) log(`PROBLEM: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

await runBench(main, cleanup, () => service?.output());
