import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../src/db/client.js';
import { measure } from './lib/cannon.js';
import { runBench, stopAllChildren, type Child } from './lib/child.js';
import { createDatabase, databaseUrl, dropBenchDatabase, postgresVersion } from './lib/pg.js';
import { fmt, table, writeResults } from './lib/report.js';
import { ADMIN_API_KEY, buildService, startBaseline, startService, type ServiceEntry } from './lib/service.js';
import { freePort, log, machineInfo, parseArgs, timestamp } from './lib/util.js';

/**
 * The trivial authenticated route (`GET /api/v1/api-keys/current`, no query once the key is
 * cached) of one or more builds of the service, measured in rounds that alternate with B_hello:
 * per build its rate, its ratio to B_hello in the same round, and the CPU time the service's
 * process spent per request (user + system from /proc/<pid>/stat, so the kernel's share of
 * writing the response counts too). CPU per request moves far less with the machine's load
 * than a rate does, so it tells whether a change to the request path helps; the full run's
 * A-B-B-A ratio (bench/run.ts) stays the verdict on the goal.
 *   npx tsx bench/trivial-cpu.ts [--builds dirA,dirB] [--rounds N] [--duration S] [--keep]
 * --builds: directories holding a compiled server.js (for example a copy of dist/ from before a
 * change); default the current src/, compiled as the full run compiles it. Linux only (/proc).
 * Each build runs as the full run's service does, with METRICS_PORT set.
 */
const { flags, values } = parseArgs(process.argv.slice(2));
const rounds = Number(values.get('rounds') ?? 5);
const durationS = Number(values.get('duration') ?? 5);
const keep = flags.has('keep');
if (!Number.isSafeInteger(rounds) || rounds < 1 || !(durationS > 0)) throw new Error('--rounds must be a positive integer and --duration positive');
const stamp = timestamp();
const dbName = `eszl_bench_${stamp.replace(/[^0-9]/g, '')}_trivial`;
let created = false;

/** User + system CPU time of a process so far, in microseconds (clock ticks of 10 ms on Linux). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const median = (numbers: number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

interface Target {
  name: string;
  child: Child;
  path: string;
  headers?: Record<string, string>;
  runs: { rate: number; cpuMicrosPerRequest: number }[];
}

async function main(): Promise<number> {
  const machine = machineInfo(await postgresVersion());
  const builds: { name: string; entry: ServiceEntry }[] = values.has('builds')
    ? values.get('builds')!.split(',').map((dir) => ({ name: dir, entry: { kind: 'dist', args: [path.resolve(dir, 'server.js')], note: `${dir}/server.js` } }))
    : [{ name: 'src', entry: buildService(false) }];
  log(`trivial route: ${builds.map((build) => build.name).join(', ')}; ${rounds} rounds of ${durationS} s; ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
  await createDatabase(dbName);
  created = true;
  const url = databaseUrl(dbName);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'unused', poolSize: 2 });
  await database.close();

  const targets: Target[] = [{ name: 'B_hello', child: await startBaseline('hello', url), path: '/hello', runs: [] }];
  for (const build of builds) {
    const child = await startService({ entry: build.entry, databaseUrl: url, env: { METRICS_PORT: String(await freePort()) } });
    targets.push({ name: build.name, child, path: '/api/v1/api-keys/current', headers: { authorization: `Bearer ${ADMIN_API_KEY}` }, runs: [] });
  }
  const problems: string[] = [];
  for (let round = 0; round <= rounds; round++) {
    for (const target of targets) {
      const before = cpuMicros(target.child.pid);
      const measurement = await measure({
        label: `${round === 0 ? 'warm-up ' : ''}${target.name} GET ${target.path} @10`,
        url: target.child.url,
        path: target.path,
        connections: 10,
        durationS: round === 0 ? 2 : durationS,
        warmupS: 0,
        ...(target.headers && { headers: target.headers }),
      });
      if (measurement.errors > 0 || measurement.non2xx > 0) problems.push(`${target.name}, round ${round}: ${measurement.errors} errors, ${measurement.non2xx} non-2xx`);
      // Round 0 warms the JIT and the key cache and is not counted.
      if (round > 0) target.runs.push({ rate: measurement.reqPerSec, cpuMicrosPerRequest: (cpuMicros(target.child.pid) - before) / Math.max(1, measurement.requests) });
    }
  }
  await stopAllChildren();

  const hello = targets[0]!;
  const summary = targets.map((target) => ({
    name: target.name,
    rate: median(target.runs.map((run) => run.rate)),
    ratio: median(target.runs.map((run, index) => run.rate / hello.runs[index]!.rate)),
    cpuMicrosPerRequest: median(target.runs.map((run) => run.cpuMicrosPerRequest)),
  }));
  const markdown = table(
    ['process', 'route', 'req/s (median)', 'x B_hello (median of rounds)', 'CPU us per request (median)'],
    summary.map((row, index) => [row.name, targets[index]!.path, fmt.rate(row.rate), index === 0 ? '-' : `${row.ratio.toFixed(2)} x`, row.cpuMicrosPerRequest.toFixed(1)]),
  );
  const file = writeResults('trivial-cpu', {
    mode: 'trivial-cpu',
    startedAt: stamp,
    machine,
    rounds,
    durationS,
    summary,
    runs: targets.map((target) => ({ name: target.name, runs: target.runs })),
    problems,
    table: markdown,
  });
  process.stdout.write(`\n${markdown}\n\n`);
  log(`results: ${file}`);
  for (const problem of problems) log(`PROBLEM: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

await runBench(
  main,
  async () => {
    await stopAllChildren();
    if (created && !keep) await dropBenchDatabase(dbName);
  },
  () => undefined,
);
