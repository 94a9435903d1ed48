/**
 * The event feed under load: N long-poll clients (`GET /api/v1/events?waitSeconds=30`, default
 * 1,000) wait on one service instance whose pool has 10 connections; one vote wakes them.
 * Reports the service's RSS growth while they wait, the most connections the service held to
 * PostgreSQL meanwhile (pool exhaustion would show as queued requests and unanswered waiters),
 * and the wake-up latency of every waiter after the vote was sent (p50, p99, max).
 *
 *   npx tsx bench/event-feed.ts [--clients N] [--tsx] [--keep]
 */
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { memoryOf, runBench, stopAllChildren, type Child } from './lib/child.js';
import { requestJson } from './lib/http.js';
import { benchPool, createDatabase, databaseUrl, dropBenchDatabase } from './lib/pg.js';
import { ADMIN_API_KEY, buildService, startService } from './lib/service.js';
import { BENCH_DIR, log, parseArgs, sleep } from './lib/util.js';

const { flags, values } = parseArgs(process.argv.slice(2));
const CLIENTS = Number(values.get('clients') ?? 1_000);
const POOL_SIZE = 10;
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
const DATABASE = `eszl_bench_${stamp.replace(/\W/g, '').toLowerCase()}_feed`;

let service: Child | undefined;

async function must<T>(method: string, url: string, key: string | undefined, body: unknown, status: number): Promise<T> {
  const res = await requestJson<T>(method, url, key, body);
  if (res.status !== status) throw new Error(`${method} ${url}: expected ${status}, got ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(): Promise<number> {
  await createDatabase(DATABASE);
  service = await startService({ entry: buildService(flags.has('tsx')), databaseUrl: databaseUrl(DATABASE), env: { DB_POOL_SIZE: String(POOL_SIZE) } });
  const api = `${service.url}/api/v1`;
  const admin = ADMIN_API_KEY;

  // A pending decision of EUR 200,000 and a reader key.
  const centre = async (name: string) => must<{ id: string }>('POST', `${api}/organisations`, admin, { name, kind: 'municipality', centreMunicipality: true }, 201);
  const heerlen = await centre('Gemeente Heerlen');
  await centre('Gemeente Sittard-Geleen');
  await centre('Gemeente Maastricht');
  const today = new Date().toISOString().slice(0, 10);
  const year = Number(today.slice(0, 4));
  await must('POST', `${api}/fund/contributions`, admin, { organisationId: heerlen.id, year, amountCents: 100_000_000_000, receivedOn: today, reference: 'Bench fund' }, 201);
  const programme = await must<{ id: string }>('POST', `${api}/programmes`, admin, { code: 'BENCH-FEED', name: 'Bench programme' }, 201);
  const draft = await must<{ id: string }>(
    'POST',
    `${api}/decisions`,
    admin,
    { reference: 'PB-FEED-1', title: 'Bench decision', boardMeetingDate: today, commitments: [{ programmeId: programme.id, year, amountCents: 20_000_000 }] },
    201,
  );
  await must('POST', `${api}/decisions/${draft.id}/adopt`, admin, undefined, 200);
  const reader = (await must<{ key: string }>('POST', `${api}/api-keys`, admin, { name: 'feed reader', role: 'reader' }, 201)).key;
  const start = (await must<{ lastSeq: number }>('GET', `${api}/events?types=decision.withdrawn`, reader, undefined, 200)).lastSeq;

  // Connections of the service to PostgreSQL, sampled while the clients wait and wake.
  const watcher = benchPool(DATABASE, 1);
  let maxConnections = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await watcher.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
        [DATABASE],
      );
      maxConnections = Math.max(maxConnections, rows[0]?.n ?? 0);
      await sleep(20);
    }
  })();

  await sleep(1_000); // settle before the first RSS reading
  const rssBefore = memoryOf(service.pid).rssKiB;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const url = new URL(`${api}/events?afterSeq=${start}&waitSeconds=30`);
  let connected = 0;
  const arrivals: Promise<{ at: number; status: number; type: string | undefined }>[] = [];
  log(`opening ${CLIENTS} long-poll requests`);
  for (let i = 0; i < CLIENTS; i++) {
    arrivals.push(
      new Promise((resolve, reject) => {
        const request = http.get(url, { agent, headers: { authorization: `Bearer ${reader}` } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const at = performance.now();
            const body = JSON.parse(Buffer.concat(chunks).toString()) as { items: { type: string }[] };
            resolve({ at, status: response.statusCode ?? 0, type: body.items[0]?.type });
          });
        });
        request.on('socket', (socket) => socket.once('connect', () => connected++));
        request.on('error', reject);
      }),
    );
  }
  while (connected < CLIENTS) await sleep(50);
  await sleep(3_000); // every request parsed, authenticated and waiting
  const rssWaiting = memoryOf(service.pid).rssKiB;
  const connectionsWhileWaiting = maxConnections;

  log('casting the vote');
  const sent = performance.now();
  await must('POST', `${api}/decisions/${draft.id}/votes`, admin, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: today }, 201);
  const voteAnswered = performance.now() - sent;
  const answers = await Promise.all(arrivals);
  sampling = false;
  await sampler;
  await watcher.end();
  agent.destroy();

  const latencies = answers.map((a) => a.at - sent).sort((a, b) => a - b);
  const ok = answers.filter((a) => a.status === 200 && a.type === 'vote.cast').length;
  const result = {
    when: new Date().toISOString(),
    clients: CLIENTS,
    poolSize: POOL_SIZE,
    answeredWithTheVote: ok,
    voteAnsweredMs: Math.round(voteAnswered),
    wakeUpMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies.at(-1)!) },
    rssKiB: { before: rssBefore, waiting: rssWaiting, growth: rssWaiting - rssBefore },
    maxServiceConnections: { whileWaiting: connectionsWhileWaiting, overall: maxConnections },
  };
  const file = path.join(BENCH_DIR, 'results', `${stamp}-event-feed.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`| clients | answered with the vote | wake-up p50 / p99 / max (ms after the vote was sent) | vote answered (ms) | RSS growth while waiting | service connections to PostgreSQL (max) |`);
  log(`| ${CLIENTS} | ${ok} | ${result.wakeUpMs.p50} / ${result.wakeUpMs.p99} / ${result.wakeUpMs.max} | ${result.voteAnsweredMs} | ${(result.rssKiB.growth / 1024).toFixed(1)} MiB | ${maxConnections} (pool ${POOL_SIZE} + the LISTEN connections) |`);
  log(`written ${path.relative(process.cwd(), file)}`);
  return ok === CLIENTS ? 0 : 1;
}

await runBench(
  main,
  async () => {
    await stopAllChildren();
    if (!flags.has('keep')) await dropBenchDatabase(DATABASE).catch(() => undefined);
  },
  () => service?.output(),
);
