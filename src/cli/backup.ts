import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/client.js';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../db/data-dir-lock.js';
import { checkBackup, dumpEmbedded, holdsEmbeddedDatabase, loadEmbedded, NotABackupError } from '../db/embedded-backup.js';
import { systemClock } from '../domain/clock.js';
import { verifyStoredChain } from '../use-cases/audit-trail.js';

/**
 * `npm run backup -- <file>` and `npm run restore -- <file> [--force]` (or `node
 * dist/cli/backup.js backup|restore ...`): the embedded database in DATA_DIR to a file and back,
 * never while a server has it open. A restore builds the new directory beside the old one (inside
 * DATA_DIR, so on the same file system, also when DATA_DIR is a mounted volume), verifies its audit
 * chain, and only then swaps it in: a file that is not a backup, or one whose chain fails, changes
 * nothing. Progress goes to stderr; exit 0 done, 1 refused or failed, 2 wrong usage.
 */
const USAGE = [
  'usage: npm run backup -- <file> [--force]    back up the embedded database in DATA_DIR (--force: overwrite <file>)',
  '       npm run restore -- <file> [--force]   restore it into DATA_DIR (--force: replace the database there)',
  '       node dist/cli/backup.js backup|restore <file> [--force]',
  'PostgreSQL (DATABASE_URL) is backed up with pg_dump -Fc: see docs/operations/backups.md',
].join('\n');

class Refusal extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

function embeddedDataDir(): string {
  const config = loadConfig();
  if (config.DATABASE_URL !== undefined) {
    throw new Refusal('DATABASE_URL is set: these commands handle the embedded database only; back PostgreSQL up with pg_dump -Fc (docs/operations/backups.md)', 2);
  }
  return config.DATA_DIR;
}

async function backup(file: string, force: boolean): Promise<void> {
  const dataDir = embeddedDataDir();
  if (!holdsEmbeddedDatabase(dataDir)) throw new Refusal(`DATA_DIR ${dataDir} holds no embedded database: nothing to back up`);
  if (!force && (await stat(file).catch(() => undefined)) !== undefined) throw new Refusal(`${file} exists: choose another name, or --force to overwrite it`);
  const started = Date.now();
  say(`Backing up the embedded database in ${dataDir} ...`);
  const dump = await dumpEmbedded(dataDir, 'npm run backup');
  // Never a half-written backup under the real name: written aside, then renamed. Owner-only: it
  // holds every record and the checkpoint signing key.
  const partial = `${file}.partial-${process.pid}`;
  await writeFile(partial, dump, { mode: 0o600 });
  await rename(partial, file);
  say(`Wrote ${file} (${megabytes(dump.length)}) in ${((Date.now() - started) / 1000).toFixed(1)} s; it holds the audit checkpoint key too, keep it as safe as the data.`);
}

async function restore(file: string, force: boolean): Promise<void> {
  const dataDir = embeddedDataDir();
  const content = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new Refusal(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const notABackup = (error: NotABackupError) => new Refusal(`${file} is not a backup of this service: ${error.message}; nothing was changed`);
  try {
    checkBackup(content);
  } catch (error) {
    if (error instanceof NotABackupError) throw notABackup(error);
    throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const release = lockDataDir(dataDir, 'npm run restore');
  const staging = join(dataDir, `.restore-${process.pid}`);
  const replaced = join(dataDir, `.replaced-${process.pid}`);
  try {
    await rm(staging, { recursive: true, force: true });
    await rm(replaced, { recursive: true, force: true });
    const present = (await readdir(dataDir)).filter((name) => name !== LOCK_FILE);
    if (present.length > 0 && !force) throw new Refusal(`DATA_DIR ${dataDir} is not empty: restore with --force to replace what is there`);

    say(`Unpacking ${file} (${megabytes(content.length)}) ...`);
    try {
      await loadEmbedded(staging, content);
    } catch (error) {
      if (error instanceof NotABackupError) throw notABackup(error);
      throw error;
    }
    say('Migrating it to this version and verifying the audit chain ...');
    const database = await openDatabase({ dataDir: staging, holder: 'npm run restore' });
    try {
      const verdict = await verifyStoredChain({ database, clock: systemClock });
      if (!verdict.valid) throw new Refusal(`the audit chain of ${file} does not verify (first invalid event: seq ${verdict.firstInvalidSeq}); nothing was changed`);
      say(`Audit chain verified: ${verdict.count} event(s), head ${verdict.headHash}.`);
    } finally {
      await database.close();
    }

    // Renames within one file system: should this stop half-way, the old files are in `replaced`
    // and the new ones in `staging`, both named in the line below.
    say(`Swapping it into ${dataDir} (old files via ${replaced}, new from ${staging}) ...`);
    await mkdir(replaced);
    for (const name of present) await rename(join(dataDir, name), join(replaced, name));
    for (const name of await readdir(staging)) await rename(join(staging, name), join(dataDir, name));
    await rm(replaced, { recursive: true, force: true });
    say(`Restored ${file} into ${dataDir}${present.length > 0 ? ' (the database that was there is gone)' : ''}.`);
  } finally {
    await rm(staging, { recursive: true, force: true });
    release();
  }
}

const COMMANDS: Record<string, (file: string, force: boolean) => Promise<void>> = { backup, restore };

try {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  const [command, file, ...rest] = positionals;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (run === undefined || file === undefined || rest.length > 0) throw new Refusal(USAGE, 2);
  await run(file, values.force);
} catch (error) {
  if (error instanceof Refusal) {
    say(error.message);
    process.exitCode = error.exitCode;
  } else if (error instanceof DataDirLockedError) {
    say(`${error.message} Stop the server first: a backup or restore needs the database to itself.`);
    process.exitCode = 1;
  } else if (error instanceof ConfigError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    say(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
