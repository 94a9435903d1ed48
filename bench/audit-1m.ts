import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/client.js';
import { generateAuditEvents } from './lib/audit-gen.js';
import { runBench, stopAllChildren, type Child } from './lib/child.js';
import { measureExport, runOfflineVerifier } from './lib/export.js';
import { requestJson } from './lib/http.js';
import { createDatabase, databaseUrl, dropBenchDatabase, postgresVersion, benchPool } from './lib/pg.js';
import { profileMarkdown, summariseProfile, type ProfileSummary } from './lib/profile.js';
import { fmt, metCell, table, writeResults } from './lib/report.js';
import { ADMIN_API_KEY, BUILD_DIR, buildService, memoryProbeArgs, memoryProbeEnv, startService } from './lib/service.js';
import { log, machineInfo, parseArgs, progress, timestamp } from './lib/util.js';

/**
 * Export and verify of 1,000,000 audit events (`--events N` for other sizes):
 *   1. a fresh database with N valid chained events, generated in bulk;
 *   2. COPY (SELECT ...) TO STDOUT of those rows to /dev/null, the service's NDJSON export over
 *      HTTP to a sink that counts its lines (rows/s, RSS growth of the service sampled from
 *      /proc), the export again into a file for step 4, COPY again;
 *   3. GET /api/v1/audit-events/verify (time, rows/s);
 *   4. the offline verifier scripts/audit-verify.ts on the exported file (rows/s, peak RSS).
 * Goals: export >= 0.5 x the COPY rate; service memory growth < 50 MB for the whole export.
 * Options: --events N, --keep (keep database and export file), --tsx (service under tsx),
 * --max-old-space-size MB (the service's V8 heap limit: a constant-memory export must pass with
 * a small one), --profile [--profile-dir DIR] (service under --cpu-prof; prints the self-time summary).
 */
const { flags, values } = parseArgs(process.argv.slice(2));
const events = Number(values.get('events') ?? 1_000_000);
if (!Number.isSafeInteger(events) || events < 1) throw new Error('--events must be a positive integer');
const keep = flags.has('keep');
const memoryLog = values.get('memory-log');
const maxOldSpaceMiB = values.has('max-old-space-size') ? Number(values.get('max-old-space-size')) : undefined;
if (maxOldSpaceMiB !== undefined && !(Number.isSafeInteger(maxOldSpaceMiB) && maxOldSpaceMiB >= 16)) throw new Error('--max-old-space-size must be an integer >= 16 (MiB)');
const stamp = timestamp();
const dbName = `eszl_bench_${stamp.replace(/[^0-9]/g, '')}_audit`;
const workDir = path.join(os.tmpdir(), `eszl-bench-${stamp}`);
const exportFile = path.join(workDir, 'audit-events.ndjson');
const profileDir = flags.has('profile') ? path.resolve(values.get('profile-dir') ?? path.join(BUILD_DIR, `prof-${stamp.replace(/[^0-9]/g, '')}-audit`)) : undefined;

let service: Child | undefined;
let created = false;
const pool = benchPool(dbName, 2);

async function cleanup(): Promise<void> {
  await stopAllChildren();
  await pool.end().catch(() => undefined);
  if (created && !keep) {
    await dropBenchDatabase(dbName);
  }
  if (!keep) rmSync(workDir, { recursive: true, force: true });
}

async function main(): Promise<number> {
  const machine = machineInfo(await postgresVersion());
  log(`audit bench: ${events.toLocaleString('en')} events; ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, PostgreSQL ${machine.postgres}`);
  const entry = buildService(flags.has('tsx'));
  mkdirSync(workDir, { recursive: true });

  await createDatabase(dbName);
  created = true;
  log(`created database ${dbName}; running migrations (openDatabase)`);
  const url = databaseUrl(dbName);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 2 });
  await database.close();

  log(`generating ${events.toLocaleString('en')} chained audit events (batched INSERT ... SELECT unnest, one transaction)`);
  const generationStart = Date.now();
  const client = await pool.connect();
  const report = progress('events written', events);
  let generated;
  try {
    generated = await generateAuditEvents({ client, count: events, batchSize: 2_000, onProgress: report });
  } finally {
    client.release();
  }
  report(events, true);
  const generationSeconds = (Date.now() - generationStart) / 1000;
  log(`  done in ${generationSeconds.toFixed(1)} s; VACUUM ANALYZE audit_events`);
  await pool.query('VACUUM ANALYZE audit_events');
  const { rows: size } = await pool.query<{ size: string }>("SELECT pg_size_pretty(pg_total_relation_size('audit_events')) AS size");
  log(`  audit_events: ${size[0]!.size}`);

  log(`starting the service (${entry.note}${maxOldSpaceMiB === undefined ? '' : `, --max-old-space-size=${maxOldSpaceMiB}`})`);
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = [...(maxOldSpaceMiB === undefined ? [] : [`--max-old-space-size=${maxOldSpaceMiB}`]), ...memoryProbeArgs(memoryLog)];
  service = await startService({ entry, databaseUrl: url, profileDir, nodeArgs, env: memoryProbeEnv(memoryLog) });
  log(`  service pid ${service.pid} at ${service.url}`);

  log('export');
  const exported = await measureExport({ service, key: ADMIN_API_KEY, database: dbName, pool, file: exportFile });

  log('GET /api/v1/audit-events/verify');
  const verifyStart = process.hrtime.bigint();
  const verify = await requestJson<{ valid: boolean; count: number; headHash: string; firstInvalidSeq: number | null }>(
    'GET',
    `${service.url}/api/v1/audit-events/verify`,
    ADMIN_API_KEY,
  );
  const verifySeconds = Number(process.hrtime.bigint() - verifyStart) / 1e9;
  log(`  ${verify.status} ${JSON.stringify(verify.json)} in ${verifySeconds.toFixed(2)} s`);

  log(`offline verifier on the export (${(statSync(exportFile).size / 1024 / 1024).toFixed(0)} MiB)`);
  const offline = await runOfflineVerifier(exportFile);
  log(`  ${offline.verdict}, ${offline.count} events in ${offline.seconds.toFixed(2)} s, max RSS ${offline.maxRssKiB === null ? 'n/a' : fmt.mib(offline.maxRssKiB)}`);

  await service.stop();
  service = undefined;
  let profile: ProfileSummary | undefined;
  if (profileDir) {
    const newest = readdirSync(profileDir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => path.join(profileDir, name))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (newest) {
      profile = summariseProfile(newest);
      process.stdout.write(`\n${newest} (export and verify together)\n${profileMarkdown(profile)}\n`);
    }
  }

  const exportMet = exported.ratioToCopy >= 0.5;
  const memoryMet = exported.rss.growthKiB < (50 * 1000 * 1000) / 1024; // 50 MB
  const verifyRate = (verify.json?.count ?? Number.NaN) / verifySeconds;
  const headers = ['step', 'rows', 'seconds', 'rows/s', 'vs COPY', 'memory', 'goal', 'met?'];
  const lines = [
    ['COPY (SELECT ...) TO STDOUT, first', fmt.rate(exported.copyBefore.rows), exported.copyBefore.seconds.toFixed(2), fmt.rate(exported.copyBefore.rowsPerSecond), '', '', '', '-'],
    ['COPY (SELECT ...) TO STDOUT, second', fmt.rate(exported.copyAfter.rows), exported.copyAfter.seconds.toFixed(2), fmt.rate(exported.copyAfter.rowsPerSecond), '', '', '', '-'],
    [
      'NDJSON export over HTTP',
      fmt.rate(exported.export.lines),
      exported.export.seconds.toFixed(2),
      fmt.rate(exported.export.rowsPerSecond),
      fmt.ratio(exported.ratioToCopy),
      `RSS ${fmt.mib(exported.rss.beforeKiB)} -> peak ${fmt.mib(exported.rss.peakKiB)} (+${fmt.mib(exported.rss.growthKiB)})`,
      '>= 0.5 x COPY; growth < 50 MB',
      `${metCell(exportMet)} / ${metCell(memoryMet)}`,
    ],
    ...(exported.toFile === undefined
      ? []
      : [['NDJSON export over HTTP into a file', fmt.rate(exported.toFile.lines), exported.toFile.seconds.toFixed(2), fmt.rate(exported.toFile.rowsPerSecond), fmt.ratio(exported.toFile.rowsPerSecond / exported.copyRowsPerSecond), '', '-', '-']]),
    ['GET /audit-events/verify', fmt.rate(verify.json?.count ?? Number.NaN), verifySeconds.toFixed(2), fmt.rate(verifyRate), fmt.ratio(verifyRate / exported.copyRowsPerSecond), '', 'valid', metCell(verify.json?.valid === true)],
    [
      'offline verifier (scripts/audit-verify.ts)',
      fmt.rate(offline.count),
      offline.seconds.toFixed(2),
      fmt.rate(offline.rowsPerSecond),
      fmt.ratio(offline.rowsPerSecond / exported.copyRowsPerSecond),
      offline.maxRssKiB === null ? 'n/a' : `max RSS ${fmt.mib(offline.maxRssKiB)}`,
      'VALID',
      metCell(offline.verdict === 'VALID'),
    ],
  ];
  const markdown = table(headers, lines);
  const problems: string[] = [];
  if (exported.export.lines !== exported.headSeq) problems.push(`export has ${exported.export.lines} lines, head is ${exported.headSeq}`);
  if (exported.toFile !== undefined && exported.toFile.lines !== exported.headSeq) problems.push(`export into a file has ${exported.toFile.lines} lines, head is ${exported.headSeq}`);
  if (verify.status !== 200 || verify.json?.valid !== true) problems.push('verify endpoint did not answer valid');
  if (offline.verdict !== 'VALID' || offline.count !== exported.export.lines) problems.push('offline verifier did not answer VALID for every line');

  const file = writeResults(events === 1_000_000 ? 'audit-1m' : `audit-${events}`, {
    mode: 'audit',
    startedAt: stamp,
    machine,
    service: entry.note,
    maxOldSpaceMiB: maxOldSpaceMiB ?? null,
    database: { name: dbName, kept: keep, auditEventsSize: size[0]!.size },
    generation: { events, seconds: generationSeconds, rowsPerSecond: events / generationSeconds, headHash: generated.headHash },
    export: exported,
    verifyEndpoint: { status: verify.status, verdict: verify.json, seconds: verifySeconds, rowsPerSecond: verifyRate },
    offlineVerifier: offline,
    goals: { exportAtLeast05xCopy: exportMet, memoryGrowthUnder50MB: memoryMet },
    profile,
    problems,
    table: markdown,
  });
  process.stdout.write(`\n${markdown}\n\n`);
  log(`results: ${path.relative(process.cwd(), file)}`);
  if (keep) log(`kept database ${dbName} and ${exportFile}`);
  for (const problem of problems) log(`PROBLEM: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

await runBench(main, cleanup, () => service?.output());
