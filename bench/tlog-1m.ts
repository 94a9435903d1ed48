import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { verifyEvidence } from '../src/audit/evidence.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../src/audit/merkle.js';
import { noteSigner } from '../src/audit/note.js';
import { parseVkey } from '../src/audit/vkey.js';
import { openDatabase } from '../src/db/client.js';
import { readTile, tileNodeReader } from '../src/db/tlog-repository.js';
import { treeRoot } from '../src/audit/merkle-proofs.js';
import { formatTileIndex as formatIndex } from '../src/audit/tiles.js';
import { systemClock } from '../src/domain/clock.js';
import { integrateTree } from '../src/use-cases/tlog-integration.js';
import { tlogSettings } from '../src/use-cases/tlog-settings.js';
import { issueLogCheckpoint } from '../src/use-cases/tlog-signing.js';
import { generateAuditEvents } from './lib/audit-gen.js';
import { runBench, stopAllChildren, type Child } from './lib/child.js';
import { requestJson } from './lib/http.js';
import { benchPool, createDatabase, databaseUrl, dropBenchDatabase, postgresVersion } from './lib/pg.js';
import { table, writeResults } from './lib/report.js';
import { ADMIN_API_KEY, buildService, startService } from './lib/service.js';
import { log, machineInfo, parseArgs, progress, PROJECT_DIR, timestamp } from './lib/util.js';

/**
 * The transparency log at scale (issue 26): N audit events (default 1,000,000) generated in bulk,
 * integrated into the tree by the background job's use case, one checkpoint signed; then, against
 * the running service:
 *   - inclusion proofs: hashes per proof (goal: at most 20 at a million), time per request
 *     (sequential and 8 at a time), and time to verify one;
 *   - a consistency proof from half the tree;
 *   - tiles: full tiles read as stored rows (bytes compared with the rows; no hashing on the way)
 *     and served again from the instance's cache, partial tiles, entry bundles;
 *   - one decision's evidence: fetched, verified in process and by the offline verifier.
 * Options: --events N, --proofs N (default 1,000), --tsx, --keep. Figures are indicative: the
 * machine is shared.
 */
const { flags, values } = parseArgs(process.argv.slice(2));
const events = Number(values.get('events') ?? 1_000_000);
const proofs = Number(values.get('proofs') ?? 1_000);
const stamp = timestamp();
const dbName = `eszl_bench_${stamp.replace(/[^0-9]/g, '')}_tlog`;
const workDir = path.join(os.tmpdir(), `eszl-bench-${stamp}-tlog`);
const pool = benchPool(dbName, 2);
let service: Child | undefined;
let created = false;

async function cleanup(): Promise<void> {
  await stopAllChildren();
  await pool.end().catch(() => undefined);
  if (created && !flags.has('keep')) await dropBenchDatabase(dbName);
  rmSync(workDir, { recursive: true, force: true });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (n: number) => `${n.toFixed(2)} ms`;
const us = (n: number) => `${(n * 1000).toFixed(1)} µs`;
const randomSeq = (size: number) => 1 + Math.floor(Math.random() * size);

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

function offlineVerifier(file: string, logKey: string): Promise<{ status: number | null; output: string; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts', 'evidence', file, '--log-key', logKey], { cwd: PROJECT_DIR });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}

async function main(): Promise<number> {
  const machine = machineInfo(await postgresVersion());
  log(`transparency log bench: ${events.toLocaleString('en')} events; ${machine.cpu}, ${machine.cores} cores, load ${machine.loadAverageAtStart.join(' ')}`);
  const entry = buildService(flags.has('tsx'));
  mkdirSync(workDir, { recursive: true });
  await createDatabase(dbName);
  created = true;
  const url = databaseUrl(dbName);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 4 });
  const problems: string[] = [];
  try {
    log(`generating ${events.toLocaleString('en')} chained audit events`);
    const client = await pool.connect();
    const report = progress('events written', events);
    try {
      await generateAuditEvents({ client, count: events, batchSize: 2_000, onProgress: report });
    } finally {
      client.release();
    }
    await pool.query('VACUUM ANALYZE audit_events');

    log('integrating the tree (the background job\'s use case, batches of 10,000)');
    const ctx = { database, clock: systemClock };
    const integration = await timed(() => integrateTree(ctx, 10_000, Number.MAX_SAFE_INTEGER));
    const { rows: tileRows } = await pool.query<{ n: number; size: string }>("SELECT count(*)::int AS n, pg_size_pretty(pg_total_relation_size('tlog_tiles')) AS size FROM tlog_tiles");
    log(`  ${integration.value} leaves in ${(integration.ms / 1000).toFixed(1)} s (${Math.round(events / (integration.ms / 1000)).toLocaleString('en')} events/s); ${tileRows[0]!.n} tile rows, ${tileRows[0]!.size}`);
    if (integration.value !== events) problems.push(`integrated ${integration.value} of ${events}`);

    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const signer = noteSigner('eszl-decisions/log', createPrivateKey(pem));
    const signing = await issueLogCheckpoint(ctx, tlogSettings({ origin: signer.name, signer, witnesses: [], witnessTimeoutMs: 1_000 }));
    if (signing.kind !== 'signed') throw new Error(`no checkpoint signed: ${signing.kind}`);
    const root = signing.checkpoint.root;

    service = await startService({ entry, databaseUrl: url, env: { AUDIT_SIGNING_KEY: pem } });
    const api = `${service.url}/api/v1`;
    log(`service at ${service.url} (${entry.note})`);

    log(`${proofs} inclusion proofs of random events, one at a time`);
    const latencies: number[] = [];
    const verifyTimes: number[] = [];
    let maxHashes = 0;
    for (let i = 0; i < proofs; i++) {
      const seq = randomSeq(events);
      const { value, ms: took } = await timed(() => requestJson<{ entry: string; hashes: string[] }>('GET', `${api}/audit-events/${seq}/inclusion-proof`, ADMIN_API_KEY));
      latencies.push(took);
      maxHashes = Math.max(maxHashes, value.json.hashes.length);
      const leaf = leafHash(Buffer.from(value.json.entry, 'hex'));
      const hashes = value.json.hashes.map((hash) => Buffer.from(hash, 'hex'));
      const started = process.hrtime.bigint();
      const verdict = verifyInclusion(seq - 1, events, leaf, hashes, root);
      verifyTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (!verdict.ok) problems.push(`proof of seq ${seq} does not verify: ${verdict.reason}`);
    }
    latencies.sort((a, b) => a - b);
    verifyTimes.sort((a, b) => a - b);
    if (maxHashes > 20 && events <= 1_048_576) problems.push(`a proof has ${maxHashes} hashes, more than 20`);

    log(`${proofs} inclusion proofs, 8 at a time`);
    let next = 0;
    const concurrent = await timed(() =>
      Promise.all(Array.from({ length: 8 }, async () => {
        while (next++ < proofs) await requestJson('GET', `${api}/audit-events/${randomSeq(events)}/inclusion-proof`, ADMIN_API_KEY);
      })),
    );

    const half = Math.floor(events / 2);
    const consistency = await timed(() => requestJson<{ hashes: string[] }>('GET', `${api}/tlog/consistency-proof?from=${half}&to=${events}`, ADMIN_API_KEY));
    const halfRoot = await treeRoot(half, tileNodeReader(database.db));
    const consistent = verifyConsistency(half, events, consistency.value.json.hashes.map((h) => Buffer.from(h, 'hex')), halfRoot, root).ok;
    if (!consistent) problems.push('the consistency proof from half the tree does not verify');

    log('tiles: full ones as stored, twice (the second from the cache), partial ones, entry bundles');
    const fullTiles = Math.floor(events / 256);
    const tileTimes: { first: number[]; second: number[]; partial: number[]; entries: number[] } = { first: [], second: [], partial: [], entries: [] };
    for (let i = 0; i < 200; i++) {
      const index = Math.floor(Math.random() * fullTiles);
      const tilePath = `/tlog/tile/0/${formatIndex(index)}`;
      const first = await timed(() => fetch(`${service!.url}${tilePath}`).then((res) => res.arrayBuffer()));
      const second = await timed(() => fetch(`${service!.url}${tilePath}`).then((res) => res.arrayBuffer()));
      tileTimes.first.push(first.ms);
      tileTimes.second.push(second.ms);
      if (i < 20) {
        const row = await readTile(database.db, 0, index);
        if (row === undefined || !row.equals(Buffer.from(first.value))) problems.push(`tile 0/${index} is not the stored row`);
      }
      tileTimes.entries.push((await timed(() => fetch(`${service!.url}/tlog/tile/entries/${formatIndex(index)}`).then((res) => res.arrayBuffer()))).ms);
    }
    const partialWidth = events % 256;
    if (partialWidth > 0) {
      for (let i = 0; i < 50; i++) tileTimes.partial.push((await timed(() => fetch(`${service!.url}/tlog/tile/0/${formatIndex(fullTiles)}.p/${partialWidth}`).then((res) => res.arrayBuffer()))).ms);
    }
    for (const list of Object.values(tileTimes)) list.sort((a, b) => a - b);

    log('one decision\'s evidence');
    const { rows: busiest } = await pool.query<{ id: string; n: number }>(
      "SELECT resource_id::text AS id, count(*)::int AS n FROM audit_events WHERE resource_type = 'decision' GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
    );
    const evidence = await timed(() => requestJson<{ events: unknown[] }>('GET', `${api}/decisions/${busiest[0]!.id}/evidence`, ADMIN_API_KEY));
    const file = path.join(workDir, 'evidence.json');
    writeFileSync(file, JSON.stringify(evidence.value.json));
    const policy = { log: parseVkey(signer.verifierKey), witnesses: [], quorum: 0 };
    const inProcess = await timed(async () => verifyEvidence(evidence.value.json, policy));
    if (!inProcess.value.ok) problems.push(`evidence does not verify: ${inProcess.value.failure}`);
    const offline = await offlineVerifier(file, signer.verifierKey);
    if (offline.status !== 0) problems.push(`offline verifier: ${offline.output}`);

    const rows = [
      ['integration (background job)', `${events.toLocaleString('en')} events`, `${(integration.ms / 1000).toFixed(1)} s`, `${Math.round(events / (integration.ms / 1000)).toLocaleString('en')} events/s; ${tileRows[0]!.n} tiles, ${tileRows[0]!.size}`],
      ['inclusion proof, one at a time', `${proofs} requests`, `p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`, `at most ${maxHashes} hashes (goal <= 20)`],
      ['inclusion proof, 8 at a time', `${proofs} requests`, `${(concurrent.ms / 1000).toFixed(2)} s`, `${Math.round(proofs / (concurrent.ms / 1000))} proofs/s`],
      ['verify one inclusion proof', `${proofs} proofs`, `p50 ${us(percentile(verifyTimes, 50))}, p99 ${us(percentile(verifyTimes, 99))}`, 'RFC 9162 2.1.3.2, in process'],
      ['consistency proof, half to whole', '1 request', ms(consistency.ms), `${consistency.value.json.hashes.length} hashes; verifies: ${consistent}`],
      ['full tile, first read (stored row)', '200 tiles', `p50 ${ms(percentile(tileTimes.first, 50))}, p99 ${ms(percentile(tileTimes.first, 99))}`, 'bytes = the stored row, no hashing'],
      ['full tile, again (instance cache)', '200 tiles', `p50 ${ms(percentile(tileTimes.second, 50))}, p99 ${ms(percentile(tileTimes.second, 99))}`, ''],
      ['partial tile', `${tileTimes.partial.length} requests`, tileTimes.partial.length > 0 ? `p50 ${ms(percentile(tileTimes.partial, 50))}` : '-', partialWidth > 0 ? `.p/${partialWidth}` : 'none at this size'],
      ['entry bundle', '200 bundles', `p50 ${ms(percentile(tileTimes.entries, 50))}, p99 ${ms(percentile(tileTimes.entries, 99))}`, '256 chain hashes each'],
      ['one decision\'s evidence', `${evidence.value.json.events.length} events`, ms(evidence.ms), `verified in process in ${ms(inProcess.ms)}, offline verifier ${ms(offline.ms)} (exit ${offline.status}, node + tsx start-up included)`],
    ];
    const markdown = table(['step', 'volume', 'time', 'notes'], rows);
    process.stdout.write(`\n${markdown}\n\n`);
    const resultFile = writeResults(events === 1_000_000 ? 'tlog-1m' : `tlog-${events}`, {
      mode: 'tlog', startedAt: stamp, machine, service: entry.note, events,
      integration: { ms: integration.ms, tiles: tileRows[0] },
      inclusion: { requests: proofs, maxHashes, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), concurrentMs: concurrent.ms, verifyP50Ms: percentile(verifyTimes, 50) },
      consistency: { ms: consistency.ms, hashes: consistency.value.json.hashes.length },
      tiles: Object.fromEntries(Object.entries(tileTimes).map(([k, v]) => [k, { p50Ms: percentile(v, 50), p99Ms: percentile(v, 99) }])),
      evidence: { events: evidence.value.json.events.length, ms: evidence.ms, inProcessMs: inProcess.ms, offlineMs: offline.ms, offlineStatus: offline.status },
      problems, table: markdown,
    });
    log(`results: ${path.relative(process.cwd(), resultFile)}`);
    for (const problem of problems) log(`PROBLEM: ${problem}`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await database.close();
  }
}

await runBench(main, cleanup, () => service?.output());
