import { spawn } from 'node:child_process';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createDatabase, databaseUrl, dropBenchDatabase, postgresVersion } from './lib/pg.js';
import { freePort, log, machineInfo, parseArgs, progress, timestamp } from './lib/util.js';
import { table, writeResults } from './lib/report.js';

/**
 * Latency of one write at a time (no concurrency: each request waits for the previous), where
 * round trips to PostgreSQL show undiluted: create, adopt and the three votes of N decisions of
 * EUR 200,000, through the whole HTTP stack in process (`inject`), on a fresh PostgreSQL
 * database. `--latency-ms D` puts a TCP proxy between the service and PostgreSQL that delays
 * every chunk by D ms each way (`lib/latency-proxy.mjs`, its own process), as a network would:
 * each round trip then costs 2 x D more, which shows what round trips cost. It uses the public
 * API only, so the same file runs against an older commit for a before/after comparison.
 * Options: --decisions N (default 200), --latency-ms D (default 0: no proxy), --label TEXT.
 */
const { values } = parseArgs(process.argv.slice(2));
const count = Number(values.get('decisions') ?? 200);
const label = values.get('label') ?? '';
const latencyMs = Number(values.get('latency-ms') ?? 0);
const dbName = `eszl_bench_${timestamp().replace(/[^0-9]/g, '')}_latency`;
const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnop';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const machine = machineInfo(await postgresVersion());
  log(`write latency: ${count} decisions, one request at a time; ${machine.cpu}, ${machine.cores} cores, PostgreSQL ${machine.postgres} ${label}`);
  await createDatabase(dbName);
  let url = databaseUrl(dbName);
  let proxy: ReturnType<typeof spawn> | undefined;
  if (latencyMs > 0) {
    const port = await freePort();
    const target = new URL(url);
    proxy = spawn(process.execPath, [new URL('./lib/latency-proxy.mjs', import.meta.url).pathname, String(port), target.hostname, target.port || '5432', String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proxy!.stdout!.once('data', () => resolve());
      proxy!.once('exit', (code) => reject(new Error(`latency proxy exited ${code}`)));
    });
    target.port = String(port);
    url = target.toString();
    log(`PostgreSQL through a proxy adding ${latencyMs} ms each way (port ${port})`);
  }
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 10 });
  const config = loadConfig({ ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0', RATE_LIMIT_PER_MINUTE: '0' });
  const app = await buildApp({ config, database, logger: createLogger('warn') });
  await app.ready();
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  const post = async (url: string, payload?: object): Promise<{ ms: number; body: { id: string } }> => {
    const start = process.hrtime.bigint();
    const res = await app.inject({ method: 'POST', url, headers, ...(payload && { payload }) });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.statusCode >= 300) throw new Error(`POST ${url}: ${res.statusCode} ${res.body}`);
    return { ms, body: JSON.parse(res.body) as { id: string } };
  };
  try {
    const municipalities: string[] = [];
    for (const name of ['Gemeente Heerlen', 'Gemeente Sittard-Geleen', 'Gemeente Maastricht']) {
      municipalities.push((await post('/api/v1/organisations', { name, kind: 'municipality', centreMunicipality: true })).body.id);
    }
    const programmeId = (await post('/api/v1/programmes', { code: 'WTMR', name: 'Welcome to Maastricht Region' })).body.id;
    const timings = { create: [] as number[], adopt: [] as number[], vote: [] as number[] };
    const report = progress('decisions', count);
    for (let i = 0; i < count; i++) {
      const created = await post('/api/v1/decisions', {
        reference: `PB-LAT-${i}`,
        title: 'Principebesluit',
        boardMeetingDate: '2026-01-22',
        commitments: [{ programmeId, year: 2026, amountCents: 20_000_000 }],
        conditions: [{ description: 'Meetbare resultaatcriteria aanleveren', dueDate: '2026-02-15' }],
      });
      timings.create.push(created.ms);
      timings.adopt.push((await post(`/api/v1/decisions/${created.body.id}/adopt`)).ms);
      for (const municipalityId of municipalities) {
        timings.vote.push((await post(`/api/v1/decisions/${created.body.id}/votes`, { municipalityId, outcome: 'approve', decidedOn: '2026-02-20' })).ms);
      }
      report(i + 1);
    }
    report(count, true);
    const rows = Object.entries(timings).map(([name, list]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return { name, requests: list.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: list.reduce((a, b) => a + b, 0) / list.length };
    });
    console.log(table(['write', 'requests', 'mean ms', 'p50 ms', 'p99 ms'], rows.map((r) => [r.name, String(r.requests), r.mean.toFixed(2), r.p50.toFixed(2), r.p99.toFixed(2)])));
    log(`results: ${writeResults('write-latency', { machine, label, latencyMs, decisions: count, rows })}`);
  } finally {
    await app.close();
    await database.close();
    proxy?.kill();
    await dropBenchDatabase(dbName);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
