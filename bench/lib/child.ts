import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { log, sleep } from './util.js';

/**
 * Child processes of a bench (baselines and the service). Every child is remembered so that
 * `stopAllChildren` can end them on any exit path; children are only ever ended by their pid.
 */
export interface Child {
  name: string;
  pid: number;
  url: string;
  process: ChildProcess;
  /** The last lines it wrote, for the report when it fails. */
  output(): string;
  stop(): Promise<number | null>;
}

const children = new Set<Child>();

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  /** Path polled until it answers `readyStatus`. */
  readyPath: string;
  readyStatus?: number;
  cwd?: string;
  timeoutMs?: number;
}

export async function startChild(options: StartOptions): Promise<Child> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = code ?? (signal ? -1 : null);
      resolve(exited);
    }),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const handle: Child = {
    name: options.name,
    pid: child.pid!,
    url,
    process: child,
    output: () => lines.join('\n'),
    async stop() {
      if (exited === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => exited === undefined && child.kill('SIGKILL'), 30_000);
        await exit;
        clearTimeout(timer);
      }
      children.delete(handle);
      return exited ?? null;
    },
  };
  children.add(handle);

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (exited !== undefined) {
      children.delete(handle);
      throw new Error(`${options.name} exited (${exited}) before it was ready:\n${handle.output()}`);
    }
    const status = await getStatus(`${url}${options.readyPath}`).catch(() => 0);
    if (status === (options.readyStatus ?? 200)) return handle;
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`${options.name} was not ready within ${options.timeoutMs ?? 60_000} ms:\n${handle.output()}`);
    }
    await sleep(100);
  }
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => child.stop().catch(() => undefined)));
}

/** Synchronous last resort (process 'exit'): signal every child still running, by pid. */
export function killAllChildrenNow(): void {
  for (const child of children) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.setTimeout(2_000, () => request.destroy(new Error('timeout')));
  });
}

/** VmRSS and VmHWM (peak) of a process in KiB, from /proc. */
export function memoryOf(pid: number): { rssKiB: number; hwmKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const value = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssKiB: value('VmRSS'), hwmKiB: value('VmHWM') };
}

/** Samples VmRSS every `intervalMs` until stopped; reports the range seen. */
export function sampleRss(pid: number, intervalMs = 100): () => { beforeKiB: number; peakKiB: number; afterKiB: number; samples: number; hwmBeforeKiB: number; hwmAfterKiB: number } {
  const first = memoryOf(pid);
  let peak = first.rssKiB;
  let samples = 1;
  const timer = setInterval(() => {
    try {
      const { rssKiB } = memoryOf(pid);
      samples++;
      if (rssKiB > peak) peak = rssKiB;
    } catch {
      // process gone: the caller will notice
    }
  }, intervalMs);
  return () => {
    clearInterval(timer);
    const last = memoryOf(pid);
    if (last.rssKiB > peak) peak = last.rssKiB;
    return { beforeKiB: first.rssKiB, peakKiB: peak, afterKiB: last.rssKiB, samples: samples + 1, hwmBeforeKiB: first.hwmKiB, hwmAfterKiB: last.hwmKiB };
  };
}

/**
 * Runs a bench's `main` and exits with its code: 1 with the stack (and the service's output,
 * when a service was started) should it throw. `cleanup` runs either way, and on SIGINT/SIGTERM.
 */
export async function runBench(main: () => Promise<number>, cleanup: () => Promise<void>, serviceOutput: () => string | undefined): Promise<never> {
  installCleanup(cleanup);
  let code = 1;
  try {
    code = await main();
  } catch (error) {
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    const output = serviceOutput();
    if (output !== undefined) log(`service output:\n${output}`);
  } finally {
    await cleanup();
  }
  process.exit(code);
}

export function installCleanup(cleanup: () => Promise<void>): void {
  let running = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (running) return;
    running = true;
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAllChildrenNow);
}
