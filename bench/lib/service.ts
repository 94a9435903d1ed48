import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { startChild, type Child } from './child.js';
import { BENCH_DIR, freePort, log, PROJECT_DIR } from './util.js';

/**
 * The service under test, as a child process. It is compiled from the current src/ into
 * bench/.build/dist (so dist/ of the project is never touched) and run with plain node; the
 * compiled client resolves its migrations at bench/.build/migrations, a link to migrations/.
 */
export const BUILD_DIR = path.join(BENCH_DIR, '.build');
export const ADMIN_API_KEY = 'bench-admin-key-0123456789abcdefghijklmno'; // 40 characters

export interface ServiceEntry {
  kind: 'dist' | 'tsx';
  args: string[];
  note: string;
}

export function buildService(useTsx: boolean): ServiceEntry {
  const tsxEntry: ServiceEntry = { kind: 'tsx', args: ['--import', 'tsx', path.join(PROJECT_DIR, 'src/server.ts')], note: 'src/server.ts under tsx' };
  if (useTsx) return tsxEntry;
  const outDir = path.join(BUILD_DIR, 'dist');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(BUILD_DIR, { recursive: true });
  const migrations = path.join(BUILD_DIR, 'migrations');
  if (!existsSync(migrations)) symlinkSync(path.relative(BUILD_DIR, path.join(PROJECT_DIR, 'migrations')), migrations, 'dir');
  log('compiling src/ into bench/.build/dist (tsc -p tsconfig.build.json --outDir bench/.build/dist)');
  const tsc = spawnSync(process.execPath, [path.join(PROJECT_DIR, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: PROJECT_DIR,
    encoding: 'utf8',
  });
  const server = path.join(outDir, 'server.js');
  if (!existsSync(server)) {
    log(`compilation produced no server.js; falling back to tsx.\n${tsc.stdout}${tsc.stderr}`);
    return { ...tsxEntry, note: 'src/server.ts under tsx (compilation failed)' };
  }
  if (tsc.status !== 0) {
    log(`warning: tsc reported type errors (src/ is being edited?); the emitted JavaScript is used anyway:\n${tsc.stdout.split('\n').slice(0, 10).join('\n')}`);
    return { kind: 'dist', args: [server], note: 'compiled dist (tsc reported type errors)' };
  }
  return { kind: 'dist', args: [server], note: 'compiled dist' };
}

export interface ServiceOptions {
  entry: ServiceEntry;
  databaseUrl: string;
  /** Adds --cpu-prof; the profile is written when the service exits after SIGTERM. */
  profileDir?: string | undefined;
  env?: Record<string, string>;
  /** Extra node options before the entry, e.g. `--max-old-space-size=64`. */
  nodeArgs?: string[];
}

export async function startService(options: ServiceOptions): Promise<Child> {
  const port = await freePort();
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  return startChild({
    name: 'service',
    command: process.execPath,
    args: [...profile, ...(options.nodeArgs ?? []), ...options.entry.args],
    cwd: PROJECT_DIR,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      ADMIN_API_KEY,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      DB_POOL_SIZE: '10',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      ...options.env,
    },
    port,
    readyPath: '/health/ready',
    timeoutMs: 90_000,
  });
}

export async function startBaseline(mode: 'hello' | 'doc' | 'page' | 'read' | 'write' | 'same', databaseUrl: string, env: Record<string, string> = {}): Promise<Child> {
  const port = await freePort();
  return startChild({
    name: `B_${mode}`,
    command: process.execPath,
    args: ['--import', 'tsx', path.join(BENCH_DIR, 'baselines/server.ts'), mode],
    cwd: PROJECT_DIR,
    env: { PORT: String(port), DATABASE_URL: databaseUrl, NODE_ENV: 'production', ...env },
    port,
    readyPath: '/ready',
  });
}

/** `node --import` of the memory probe (bench/lib/memory-probe.mjs) when a log file is asked for. */
export function memoryProbeArgs(file: string | undefined): string[] {
  return file === undefined ? [] : ['--import', path.join(BENCH_DIR, 'lib/memory-probe.mjs')];
}

export function memoryProbeEnv(file: string | undefined): Record<string, string> {
  return file === undefined ? {} : { BENCH_MEMORY_LOG: path.resolve(file) };
}
