import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { PGlite } from '@electric-sql/pglite';
import { DataDirLockedError, LOCK_FILE } from '../../src/db/data-dir-lock.js';
import { checkBackup, dumpEmbedded, holdsEmbeddedDatabase, loadEmbedded, NotABackupError, tarEntryNames } from '../../src/db/embedded-backup.js';

/**
 * Backups of the embedded database: a tar is read entry by entry and refused at a bad header; a
 * file is checked to be a dumped data directory before anything is written; a dump taken under
 * the directory's lock loads into a new directory with the register in it. The databases here
 * are PGlite's on disk (this module is PGlite's alone), as small as can be: a bare one and one
 * with the register's marker table.
 */
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A tar entry: a ustar header (with `prefix` when given) and its content padded to 512 bytes. */
function tarEntry(name: string, content: string, prefix = ''): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'latin1');
  header.write('0000644\0', 100, 'latin1');
  header.write(`${Buffer.byteLength(content).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  header.write('00000000000\0', 136, 'latin1');
  header.write('0', 156, 'latin1');
  header.write('ustar\0', 257, 'latin1');
  header.write('00', 263, 'latin1');
  header.write(prefix, 345, 155, 'latin1');
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const body = Buffer.alloc(Math.ceil(Buffer.byteLength(content) / 512) * 512);
  body.write(content, 'latin1');
  return Buffer.concat([header, body]);
}
const END = Buffer.alloc(1024);

t.test('the names of a tar, with ustar prefixes; a header with a wrong checksum is no backup', async (t) => {
  const tar = Buffer.concat([tarEntry('PG_VERSION', '17\n'), tarEntry('base/1/1259', 'x'.repeat(600)), tarEntry('file', 'y', 'a/long/prefix'), END]);
  t.same(tarEntryNames(tar), ['PG_VERSION', 'base/1/1259', 'a/long/prefix/file']);
  t.same(tarEntryNames(tar.subarray(0, 512 + 512)), ['PG_VERSION'], 'a tar cut short: the entries up to there');
  const corrupt = Buffer.from(tar);
  corrupt[512 + 512 + 5] = 0x41; // a byte of the second entry's header
  t.throws(() => tarEntryNames(corrupt), new NotABackupError('a tar header at byte 1024 has a wrong checksum'));
  t.throws(() => tarEntryNames(Buffer.alloc(512, 0x41)), NotABackupError, 'not a tar at all');
});

t.test('a backup is checked before anything is written', async (t) => {
  t.throws(() => checkBackup(Buffer.from('hello')), new NotABackupError('it is not gzip-compressed'));
  t.throws(() => checkBackup(gzipSync(Buffer.concat([tarEntry('README', 'hi'), END]))), new NotABackupError('it holds no PostgreSQL data directory'));
  t.throws(() => checkBackup(gzipSync(Buffer.concat([tarEntry('./PG_VERSION', '17\n'), END]))), NotABackupError, 'PG_VERSION without base/');
  t.doesNotThrow(() => checkBackup(gzipSync(Buffer.concat([tarEntry('./PG_VERSION', '17\n'), tarEntry('./base/1/1259', 'x'), END]))));
});

t.test('dumped under the lock; a dump of this service\'s register loads, one of any other database does not', async (t) => {
  const source = await tempDir('eszl-backup-source-');
  t.equal(holdsEmbeddedDatabase(source), false, 'an empty directory holds none');
  // Another running process (this one's parent) holds the directory.
  await writeFile(join(source, LOCK_FILE), JSON.stringify({ pid: process.ppid, hostname: hostname(), command: 'server', since: new Date().toISOString() }));
  await t.rejects(dumpEmbedded(source, 'backup'), DataDirLockedError, 'not while another process has it open');
  await rm(join(source, LOCK_FILE));

  // A bare database first (the dump creates it in the empty directory), then the register's
  // marker table in it: the smallest databases that tell the two apart.
  const bare = await dumpEmbedded(source, 'backup');
  t.equal(holdsEmbeddedDatabase(source), true);
  t.doesNotThrow(() => checkBackup(bare), 'a PostgreSQL data directory ...');
  const client = new PGlite(source);
  await client.exec(`create table audit_head (id int primary key, seq bigint not null); insert into audit_head values (1, 42)`);
  await client.close();
  const register = await dumpEmbedded(source, 'backup');
  t.equal(existsSync(join(source, LOCK_FILE)), false, 'the dump released the lock');

  await t.rejects(loadEmbedded(join(await tempDir('eszl-backup-bare-'), 'data'), bare), new NotABackupError('its database holds no register of this service'), '... but not one of this service');

  const target = join(await tempDir('eszl-backup-target-'), 'data');
  const dumped = tarEntryNames(gunzipSync(register)).map((name) => name.replace(/^(\.?\/)+/, ''));
  t.ok(dumped.includes(LOCK_FILE), 'the dump holds the lock file of the process that made it ...');
  await loadEmbedded(target, register);
  t.equal(holdsEmbeddedDatabase(target), true);
  t.equal(existsSync(join(target, LOCK_FILE)), false, '... which the load leaves out');
  t.equal(existsSync(join(target, 'postmaster.pid')), false);
  const restored = new PGlite(target);
  t.teardown(() => restored.close());
  t.same((await restored.query<{ seq: number }>('select seq::int as seq from audit_head')).rows, [{ seq: 42 }], 'the rows, restored');
});

t.test('a file the embedded database cannot load is refused', async (t) => {
  const damaged = gzipSync(Buffer.concat([tarEntry('PG_VERSION', '17\n'), tarEntry('base/1/1259', 'not a relation file'), END]));
  const target = join(await tempDir('eszl-backup-damaged-'), 'data');
  await t.rejects(loadEmbedded(target, damaged), { name: 'NotABackupError', message: /holds no register|cannot load it/ });
});
