import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../../src/db/data-dir-lock.js';

/**
 * One process at a time per embedded data directory, within this process: the lock file, a
 * running holder refused, stale and half-written locks taken over, release that leaves another
 * holder's lock alone. (test/e2e/data-dir-lock.test.ts plays it with real server processes.)
 */
function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'eszl-lock-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const lockPath = (dir: string) => join(dir, LOCK_FILE);
const holderIn = (dir: string) => JSON.parse(readFileSync(lockPath(dir), 'utf8')) as Record<string, unknown>;
const foreignLock = (dir: string, pid: number) =>
  writeFileSync(lockPath(dir), JSON.stringify({ pid, hostname: 'other-host', command: 'server', since: '2026-03-01T12:00:00.000Z' }));
/** The pid of a process that has ended. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

t.test('the lock file names this process; release removes it, and the directory can be locked again', async (t) => {
  const dir = tempDir(t);
  const release = lockDataDir(dir, 'seed:demo');
  t.match(holderIn(dir), { pid: process.pid, hostname: hostname(), command: 'seed:demo', since: /^\d{4}-\d{2}-\d{2}T/ });
  t.throws(() => lockDataDir(dir, 'server'), { message: `DATA_DIR ${dir} is already open in this process` });
  release();
  t.notOk(existsSync(lockPath(dir)), 'released');
  release();
  t.pass('a second release does nothing');
  lockDataDir(dir, 'server')();
});

t.test('a lock held by a running process is refused, naming that process', async (t) => {
  const dir = tempDir(t);
  foreignLock(dir, process.ppid);
  const error = t.throws(() => lockDataDir(dir, 'server')) as DataDirLockedError;
  t.type(error, DataDirLockedError);
  t.match(error, { dataDir: dir, holder: { pid: process.ppid, command: 'server' } });
  t.equal(
    error.message,
    `DATA_DIR ${dir} is in use by another process (server, pid ${process.ppid}, since 2026-03-01T12:00:00.000Z): ` +
      `the embedded database can be opened by one process at a time (if no such process runs, delete ${join(dir, LOCK_FILE)}).`,
  );
  t.equal(holderIn(dir).pid, process.ppid, 'the holder keeps its lock');
});

t.test('a lock whose process is gone, that is half-written, or left by an earlier life of this pid is taken over', async (t) => {
  const stale: [string, (dir: string) => void][] = [
    ['a process that ended', (dir) => foreignLock(dir, deadPid())],
    ['half-written', (dir) => writeFileSync(lockPath(dir), '{"pid": 12')],
    ['no valid pid in it (0 would signal our own process group)', (dir) => writeFileSync(lockPath(dir), '{"pid": 0}')],
    ['this very pid (a restarted container)', (dir) => foreignLock(dir, process.pid)],
  ];
  for (const [name, leave] of stale) {
    const dir = tempDir(t);
    leave(dir);
    const release = lockDataDir(dir, 'api-key');
    t.match(holderIn(dir), { pid: process.pid, command: 'api-key', hostname: hostname() }, name);
    release();
  }
});

t.test('release leaves alone a lock that is no longer this process’s', async (t) => {
  const dir = tempDir(t);
  const release = lockDataDir(dir, 'server');
  foreignLock(dir, process.ppid);
  release();
  t.equal(holderIn(dir).pid, process.ppid);
});

t.test('a directory that does not exist is an error of its own, not a lock held by someone', async (t) => {
  const missing = join(tempDir(t), 'missing');
  t.throws(() => lockDataDir(missing, 'server'), { code: 'ENOENT' });
});
