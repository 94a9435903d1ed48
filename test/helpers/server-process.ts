import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database.js';
import { nodeArgs, PROJECT_DIR } from './project-dir.js';

/** The real server as a child process of an end-to-end test, spoken to over real HTTP. */
export { PROJECT_DIR };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
}

/**
 * Only what a shell user would have (PATH, HOME, TMPDIR, LANG, and any `extra` names), plus the
 * service's variables: no test-runner loaders.
 */
export function baseEnv(...extra: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', ...extra]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Starts `command` (by default the TypeScript sources: `node --import tsx src/server.ts`) in the
 * project directory and keeps its stdout and stderr. `detached` (the default) gives it a process
 * group of its own, so teardown can stop it and anything it started with `killGroup`.
 */
export function start(
  env: Record<string, string>,
  options: { command?: string; args?: string[]; detached?: boolean } = {},
): Started {
  const { command = process.execPath, args = nodeArgs(['src/server.ts']), detached = true } = options;
  // A Node.js child runs WebAssembly on the baseline compiler only, as the test processes do
  // (see docs/ARCHITECTURE.md): it ends long before PGlite's optimised code would pay off.
  const argv = command === process.execPath ? ['--liftoff-only', ...args] : args;
  const child = spawn(command, argv, { cwd: PROJECT_DIR, env, detached, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Whether the child we started has exited (by itself or by a signal). */
export function hasExited(started: Started): boolean {
  return started.child.exitCode !== null || started.child.signalCode !== null;
}

/** Stops the whole process group we started, also when its leader (npm, say) has already exited. */
export function killGroup(started: Started): void {
  if (started.child.pid === undefined) return;
  try {
    process.kill(-started.child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * A port free now, below Linux's ephemeral range (32768 and up): a server takes seconds to start,
 * and a port of that range can meanwhile become the local end of some process's outgoing
 * connection (its own database connections included), which made its listen fail with
 * EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(20_000, 32_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found');
}

export function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One GET of /health/ready with fetch: whether it answered 200 (throws while nothing listens). */
export async function fetchReady(baseUrl: string): Promise<boolean> {
  const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
  return res.status === 200;
}

/** Polls `isReady` every 250 ms until it says so; fails early when the process exits. */
export async function waitUntilReady(started: Started, isReady: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void started.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the server exited before it was ready:\n${started.stderr()}\n${started.stdout().slice(-2000)}`);
    try {
      if (await isReady()) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server was not ready within ${timeoutMs} ms:\n${started.stderr()}\n${started.stdout().slice(-2000)}`);
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** A data directory of its own for the server, removed when `t` ends. */
export async function tempDataDir(t: Teardown, prefix: string): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  return dataDir;
}

/**
 * With DATABASE_URL set, a PostgreSQL database of its own for the server (the test's own pool has
 * one connection), dropped when `t` ends, after the server is gone; without it, undefined: the
 * server keeps PGlite in its data directory.
 */
export async function serverDatabase(t: Teardown): Promise<TestDatabase | undefined> {
  if (!process.env.DATABASE_URL) return undefined;
  const database = await createTestDatabase({ poolSize: 1 });
  t.teardown(() => database.close());
  return database;
}
