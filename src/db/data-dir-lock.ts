import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The embedded database is opened by one process at a time. PGlite has no locking of its own, and
 * two processes writing one data directory corrupt it for good (the next start fails on a
 * duplicate key). So before PGlite starts, the process creates `eszl.lock` in the directory
 * exclusively (O_EXCL) and writes its pid into it; a second process finds it and refuses without
 * touching anything. A lock whose process is gone (a crash, kill -9) is stale and taken over.
 *
 * Why not a library such as proper-lockfile: its locks go stale when their holder stops
 * refreshing them for a few seconds, which an event loop busy in PGlite's WebAssembly can do
 * while it is very much alive; a pid either runs or it does not.
 */
export const LOCK_FILE = 'eszl.lock';

export interface LockHolder {
  pid: number;
  hostname: string;
  /** What holds it: `server`, `seed:demo`, `api-key`... */
  command: string;
  since: string;
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by ${holder === undefined ? 'another process' : `another process (${holder.command}, pid ${holder.pid}, since ${holder.since})`}: ` +
        `the embedded database can be opened by one process at a time (if no such process runs, delete ${join(dataDir, LOCK_FILE)}).`,
    );
  }
}

/** Paths this process holds, so that it never opens one directory twice either. */
const held = new Set<string>();

function readHolder(path: string): { text: string; holder: LockHolder | undefined } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // released meanwhile
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && Number.isInteger(parsed.pid) && parsed.pid > 0) return { text, holder: parsed as LockHolder };
  } catch {
    // half-written by a process that died while writing it
  }
  return { text, holder: undefined };
}

function isRunning(pid: number): boolean {
  // A previous life of this very pid (a container restarted with the same pid) holds nothing now.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of `dataDir` for this process, or throws DataDirLockedError. Returns the release
 * function (also run when the process exits without releasing it).
 */
export function lockDataDir(dataDir: string, command: string): () => void {
  const path = resolve(dataDir, LOCK_FILE);
  if (held.has(path)) throw new Error(`DATA_DIR ${dataDir} is already open in this process`);
  const mine = JSON.stringify({ pid: process.pid, hostname: hostname(), command, since: new Date().toISOString() } satisfies LockHolder);
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const found = readHolder(path);
      if (found === undefined) continue;
      if (found.holder !== undefined && isRunning(found.holder.pid)) throw new DataDirLockedError(dataDir, found.holder);
      // Stale. Remove it only if it still is what was read: another process may have taken it over
      // in the meantime, and then its lock stays.
      if (readHolder(path)?.text === found.text) {
        try {
          unlinkSync(path);
        } catch {
          // gone already
        }
      }
      continue;
    }
    try {
      writeSync(fd, mine);
    } finally {
      closeSync(fd);
    }
    held.add(path);
    const release = () => {
      process.removeListener('exit', release);
      if (!held.delete(path)) return;
      if (readHolder(path)?.text !== mine) return;
      try {
        unlinkSync(path);
      } catch {
        // gone already
      }
    };
    process.once('exit', release);
    return release;
  }
  throw new DataDirLockedError(dataDir, readHolder(path)?.holder);
}
