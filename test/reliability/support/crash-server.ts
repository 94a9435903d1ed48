import {
  baseEnv,
  fetchReady,
  freePort,
  hasExited,
  start,
  waitUntilReady as waitUntilServerReady,
  type Started,
} from '../../helpers/server-process.js';

/**
 * The real server as a child process of the test (`start` of the shared helpers: the current
 * sources under tsx, the environment a shell user would have plus the service's variables), not
 * detached: its pid is the serving process itself (tsx hooks into node in-process), so SIGKILL
 * hits the server directly.
 */
export interface ServerProcess extends Started {
  pid: number;
  baseUrl: string;
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const started = start({ ...baseEnv(), HOST: '127.0.0.1', PORT: String(port), ...env }, { detached: false });
  if (started.child.pid === undefined) throw new Error('the server process did not start');
  return { ...started, pid: started.child.pid, baseUrl: `http://127.0.0.1:${port}` };
}

/** Polls /health/ready until 200; fails early, with the server's output, when the process exits. */
export function waitUntilReady(server: ServerProcess, timeoutMs: number): Promise<void> {
  return waitUntilServerReady(server, () => fetchReady(server.baseUrl), timeoutMs);
}

/** For teardown: SIGKILL the process if it still runs, by its own pid. */
export function killIfRunning(server: ServerProcess): void {
  if (hasExited(server)) return;
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
