import { createServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** Small helpers shared by the benches: logging, arguments, ports, a seeded random source. */

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));

const started = Date.now();

export function log(line: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${seconds}s] ${line}\n`);
}

/** `--flag`, `--name value` and `--name=value`; everything else is positional. */
export function parseArgs(argv: string[]): { flags: Set<string>; values: Map<string, string> } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) {
      values.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--') && VALUE_OPTIONS.has(arg.slice(2))) {
      values.set(arg.slice(2), argv[++i]!);
    } else {
      flags.add(arg.slice(2));
    }
  }
  return { flags, values };
}
const VALUE_OPTIONS = new Set(['builds', 'rounds', 'events', 'decisions', 'duration', 'only', 'profile-dir', 'audit-events', 'vote-pool', 'clients', 'max-old-space-size', 'memory-log', 'history-events', 'latency-ms', 'label']);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-');
}

/** A line every `everyMs` at most: for long loops that must show they are alive. */
export function progress(label: string, total: number, everyMs = 3_000): (done: number, force?: boolean) => void {
  let last = 0;
  const start = Date.now();
  return (done, force = false) => {
    const now = Date.now();
    if (!force && now - last < everyMs) return;
    last = now;
    const rate = done / Math.max((now - start) / 1000, 0.001);
    const percent = total > 0 ? ` (${((done / total) * 100).toFixed(1)}%)` : '';
    log(`  ${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')}${percent}, ${Math.round(rate).toLocaleString('en')}/s`);
  };
}

/** Mulberry32: reproducible data sets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function machineInfo(postgresVersion: string) {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    totalMemoryMiB: Math.round(os.totalmem() / 1024 / 1024),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: postgresVersion,
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight; stops at the first failure. */
export async function mapConcurrent<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined) {
      const index = next++;
      if (index >= items.length) return;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failed !== undefined) throw failed;
}

/** Other work on the machine skews every number: say so when the 1-minute load exceeds the cores. */
export function loadWarning(): string | undefined {
  const [one] = os.loadavg();
  const cores = os.cpus().length;
  return one !== undefined && one > cores ? `load average ${one.toFixed(2)} on ${cores} cores: other processes compete for the CPU` : undefined;
}
