import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The real server as a child process of the test: `node --import tsx src/server.ts` in the
 * project directory, so it runs the current sources (dist/ may be stale while src/ changes), with
 * the environment a shell user would have plus the service's own variables. Its pid is the
 * serving process itself (tsx hooks into node in-process), so SIGKILL hits the server directly.
 */
export const PROJECT_DIR = fileURLToPath(new URL('../../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isRunning: () => boolean;
}

/** Only what a shell user would have: no test-runner loaders in NODE_OPTIONS. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(20_000, 40_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found');
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: PROJECT_DIR,
    env: { ...baseEnv(), HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  if (child.pid === undefined) throw new Error('the server process did not start');
  return { child, pid: child.pid, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited, isRunning: () => running };
}

/** Polls /health/ready until 200; fails early, with the server's output, when the process exits. */
export async function waitUntilReady(server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.isRunning()) {
      const exit = await server.exited;
      throw new Error(`the server exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${server.output()}`);
    }
    try {
      const res = await fetch(`${server.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the server was not ready within ${timeoutMs} ms:\n${server.output()}`);
}

/** For teardown: SIGKILL the process if it still runs, by its own pid. */
export function killIfRunning(server: ServerProcess): void {
  if (!server.isRunning()) return;
  try {
    process.kill(server.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** A JSON client for one server with one API key. */
export function httpClient(baseUrl: string, key: string) {
  return async (method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<HttpAnswer> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed };
  };
}
