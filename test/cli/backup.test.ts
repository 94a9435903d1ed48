import { randomUUID } from 'node:crypto';
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { ADMIN_KEY, clientFor, type Client } from '../helpers/app.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme, listAll } from '../helpers/factories.js';
import { baseEnv, start, tempDataDir } from '../helpers/server-process.js';
import { nodeArgs } from '../helpers/project-dir.js';

/**
 * Backups of the embedded database through the real commands: a backup taken, the data directory
 * wiped, the backup restored gives the same bytes for every decision and audit event and a valid
 * chain. Both commands refuse while another process has the directory open; a restore refuses a
 * directory with a database in it unless --force, and a file that is not a backup, changing
 * nothing.
 */
const work = await tempDataDir(t, 'eszl-backup-');
const dataDir = join(work, 'data');
const backupFile = join(work, 'register.tar.gz');

async function run(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const command = start({ ...baseEnv(), DATA_DIR: dataDir }, { args: nodeArgs(['src/cli/backup.ts'], ...args) });
  const { code } = await command.exited;
  return { code, stderr: command.stderr() };
}

/** Opens the data directory with the app on it (and so its lock), runs `use`, closes both. */
async function withApp<T>(use: (admin: Client, app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  const database = await openDatabase({ dataDir, holder: 'backup test' });
  const config = loadConfig({ ADMIN_API_KEY: ADMIN_KEY, MAX_EVENT_LOOP_DELAY_MS: '0', DATA_DIR: dataDir });
  const app = await buildApp({ config, database, logger: createLogger('silent') });
  try {
    return await use(clientFor(app, ADMIN_KEY), app);
  } finally {
    await app.close();
    await database.close();
  }
}

interface Register {
  decisions: Map<string, string>;
  events: string;
  verify: { valid: boolean; count: number };
}

/** Every decision as GET answers it (the bytes), every audit event, and the chain's verdict. */
async function readRegister(admin: Client): Promise<Register> {
  const decisions = new Map<string, string>();
  for (const { id } of await listAll<{ id: string }>(admin, '/api/v1/decisions')) decisions.set(id, (await admin.get(`/api/v1/decisions/${id}`)).body);
  const events = JSON.stringify(await listAll(admin, '/api/v1/audit-events'));
  return { decisions, events, verify: (await admin.get('/api/v1/audit-events/verify')).json() };
}

/** Every file under the data directory with its size and modification time. */
async function listing(dir = dataDir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    out.push(`${path} ${entry.isDirectory() ? 'dir' : `${info.size} ${info.mtimeMs}`}`);
  }
  return out.sort();
}

let original: Register;

t.test('a register with a checkpoint, which neither command touches while it is open', async (t) => {
  original = await withApp(async (admin, app) => {
    const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
    const programme = await createProgramme(admin);
    const decide = (amountCents: number) =>
      createDecision(admin, {
        reference: `BCK-${randomUUID()}`,
        title: 'Kept in a backup',
        boardMeetingDate: '2026-02-20',
        commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
        conditions: [{ description: 'Report on the results', dueDate: '2027-06-30' }],
      });
    await decide(1_000_000);
    await adopt(admin, (await decide(2_000_000)).id, 'adopted');
    const pending = await adopt(admin, (await decide(14_000_000)).id, 'pending_ratification');
    const ratified = await adopt(admin, (await decide(15_000_000)).id, 'pending_ratification');
    const vote = (decisionId: string, municipalityId: string) =>
      admin.post(`/api/v1/decisions/${decisionId}/votes`, { municipalityId, outcome: 'approve', decidedOn: '2026-03-02', reference: `B&W ${randomUUID()}` });
    t.equal((await vote(pending.id, heerlen.id)).statusCode, 201);
    for (const college of [heerlen, sittardGeleen, maastricht]) t.equal((await vote(ratified.id, college.id)).statusCode, 201);
    t.ok(await app.auditCheckpoints.issue(), 'a signed checkpoint is part of the register');

    const refused = await run('backup', backupFile);
    t.equal(refused.code, 1, 'no backup while the directory is open');
    t.match(refused.stderr, /is in use by another process \(backup test, pid \d+.*Stop the server first/);
    return readRegister(admin);
  });
  t.equal(original.decisions.size, 4);
  t.equal(original.verify.valid, true);
});

t.test('a backup, the directory wiped, a restore: the same bytes for every decision and event, and a valid chain', async (t) => {
  const backup = await run('backup', backupFile);
  t.equal(backup.code, 0, backup.stderr);
  t.match(backup.stderr, /^Backing up the embedded database in .*\nWrote .*register\.tar\.gz \(\d+\.\d MB\)/);
  t.equal((await stat(backupFile)).mode & 0o777, 0o600, 'readable by its owner only');
  t.equal((await run('backup', backupFile)).code, 1, 'an existing file is not overwritten without --force');

  await rm(dataDir, { recursive: true, force: true });
  const restored = await run('restore', backupFile);
  t.equal(restored.code, 0, restored.stderr);
  t.match(restored.stderr, new RegExp(`Audit chain verified: ${original.verify.count} event\\(s\\)`));
  t.same((await readdir(dataDir)).filter((name) => name.startsWith('.') || name === 'eszl.lock'), [], 'no staging folder or lock left behind');

  const after = await withApp((admin) => readRegister(admin));
  t.same([...after.decisions.keys()].sort(), [...original.decisions.keys()].sort(), 'the same decisions');
  for (const [id, body] of original.decisions) t.equal(after.decisions.get(id), body, `decision ${id}: the same bytes`);
  t.equal(after.events, original.events, 'the same audit events');
  t.same(after.verify, original.verify, 'and the chain verifies, with the same head');
});

t.test('a restore refuses a directory with a database in it, and a file that is not a backup, changing nothing', async (t) => {
  const before = await listing();
  const notEmpty = await run('restore', backupFile);
  t.equal(notEmpty.code, 1);
  t.match(notEmpty.stderr, /is not empty: restore with --force/);

  const bad: [string, Buffer, RegExp][] = [
    ['random.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /not gzip-compressed/],
    ['text.gz', gzipSync('just some text that is not a tar archive, long enough to fill a header block'.repeat(10)), /checksum|no PostgreSQL data directory/],
    ['empty.tar.gz', gzipSync(Buffer.alloc(1024)), /no PostgreSQL data directory/],
  ];
  for (const [name, content, reason] of bad) {
    await writeFile(join(work, name), content);
    const res = await run('restore', join(work, name), '--force');
    t.equal(res.code, 1, `${name}: refused`);
    const lines = res.stderr.trim().split('\n');
    t.equal(lines.length, 1, `${name}: one line`);
    t.match(lines[0], /is not a backup of this service: .*; nothing was changed$/);
    t.match(lines[0], reason);
  }
  t.same(await listing(), before, 'the data directory is exactly as it was');
});

t.test('with --force a restore replaces the database that is there', async (t) => {
  await withApp(async (admin) => {
    t.equal((await admin.post('/api/v1/programmes', { code: 'LATER', name: 'Added after the backup' })).statusCode, 201);
    const refused = await run('restore', backupFile, '--force');
    t.equal(refused.code, 1, 'no restore while the directory is open, not even with --force');
    t.match(refused.stderr, /is in use by another process \(backup test, pid \d+/);
  });
  const res = await run('restore', backupFile, '--force');
  t.equal(res.code, 0, res.stderr);
  t.match(res.stderr, /the database that was there is gone/);
  const after = await withApp(async (admin) => {
    const programmes = await listAll<{ code: string }>(admin, '/api/v1/programmes');
    t.notOk(programmes.some((p) => p.code === 'LATER'), 'what came after the backup is gone');
    return readRegister(admin);
  });
  t.equal(after.events, original.events, 'the register is the backed-up one');
  t.equal(after.verify.valid, true);
});

t.test('wrong usage, and PostgreSQL, are told apart', async (t) => {
  const usage = await run('restore');
  t.equal(usage.code, 2);
  t.match(usage.stderr, /^usage: npm run backup/);
  const postgres = start({ ...baseEnv(), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/test' }, { args: nodeArgs(['src/cli/backup.ts'], 'backup', backupFile) });
  t.equal((await postgres.exited).code, 2);
  t.match(postgres.stderr(), /DATABASE_URL is set: .*pg_dump -Fc/);
});
