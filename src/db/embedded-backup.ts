import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { LOCK_FILE, lockDataDir } from './data-dir-lock.js';

/**
 * Backups of the embedded database with PGlite's own dump and load of its data directory: a
 * gzipped tar of the whole directory (the database's files, and whatever else lives there, such
 * as the generated checkpoint key). The dump runs under the directory's lock, so never next to a
 * server; it follows a CHECKPOINT, so the files hold everything committed.
 */
export class NotABackupError extends Error {
  override name = 'NotABackupError';
}

/** Left in a dump by the process that made it; meaningless, even misleading, anywhere else. */
const PROCESS_FILES = [LOCK_FILE, 'postmaster.pid'];

export function holdsEmbeddedDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/** The gzipped tar of `dataDir`, taken under its lock (DataDirLockedError while another process holds it). */
export async function dumpEmbedded(dataDir: string, holder: string): Promise<Buffer> {
  const release = lockDataDir(dataDir, holder);
  try {
    const client = new PGlite(dataDir);
    try {
      await client.waitReady;
      await client.exec('CHECKPOINT');
      const tarball = await client.dumpDataDir('gzip');
      return Buffer.from(await tarball.arrayBuffer());
    } finally {
      await client.close();
    }
  } finally {
    release();
  }
}

/** The names of a tar archive's entries; throws NotABackupError at a header that is not one. */
export function tarEntryNames(tar: Buffer): string[] {
  const names: string[] = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return names;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('latin1').replace(/\0.*$/s, '');
    const stored = parseInt(field(148, 8).trim(), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    if (!Number.isFinite(stored) || stored !== sum) throw new NotABackupError(`a tar header at byte ${offset} has a wrong checksum`);
    const prefix = field(257, 6) === 'ustar' ? field(345, 155) : '';
    names.push(prefix === '' ? field(0, 100) : `${prefix}/${field(0, 100)}`);
    const size = parseInt(field(124, 12).trim() || '0', 8);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

/** Checks that `file` is a dump of a PostgreSQL data directory, before anything is written. */
export function checkBackup(file: Buffer): void {
  let tar: Buffer;
  try {
    tar = gunzipSync(file);
  } catch {
    throw new NotABackupError('it is not gzip-compressed');
  }
  const names = tarEntryNames(tar).map((name) => name.replace(/^(\.?\/)+/, ''));
  if (!names.includes('PG_VERSION') || !names.some((name) => name.startsWith('base/'))) {
    throw new NotABackupError('it holds no PostgreSQL data directory');
  }
}

/**
 * Loads a dump into the empty directory `targetDir` and checks that it holds this service's
 * register. The caller holds the lock of whatever directory `targetDir` will become.
 */
export async function loadEmbedded(targetDir: string, file: Buffer): Promise<void> {
  const client = new PGlite(targetDir, { loadDataDir: new Blob([new Uint8Array(file)]) });
  try {
    await client.waitReady;
    const { rows } = await client.query<{ ours: boolean }>(`select to_regclass('public.audit_head') is not null as ours`);
    if (rows[0]?.ours !== true) throw new NotABackupError('its database holds no register of this service');
  } catch (error) {
    if (error instanceof NotABackupError) throw error;
    throw new NotABackupError(`the embedded database cannot load it (${(error as Error).message})`);
  } finally {
    await client.close().catch(() => undefined);
  }
  for (const name of PROCESS_FILES) await rm(join(targetDir, name), { force: true });
}
