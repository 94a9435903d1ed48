import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase, type Database } from '../db/client.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { ROLES, type Role } from '../domain/access.js';
import { systemClock } from '../domain/clock.js';
import { DomainError } from '../domain/errors.js';
import { createApiKey, listApiKeysPage, revokeKey, type ApiKey } from '../use-cases/api-keys.js';
import type { ServiceContext } from '../use-cases/context.js';
import { SYSTEM_CALLER } from '../use-cases/unit-of-work.js';

/**
 * `npm run api-key -- create --role admin --name "Jane, ESZL"` (or, where only the compiled code
 * is, `node dist/cli/api-key.js create ...`): API keys on the server's own database, the
 * embedded one in DATA_DIR or DATABASE_URL, without an admin key: how the first admin key is
 * made. Changes go through the same use cases as the API, so they are validated and audited
 * (actor `system`). `create` prints the key, and only the key, on stdout: once, never stored.
 */
const USAGE = [
  'usage: npm run api-key -- create --role <role> --name <name> [--organisation <centre municipality id>]',
  '       npm run api-key -- list',
  '       npm run api-key -- revoke <key id>',
  `roles: ${ROLES.join(', ')}; the database is DATABASE_URL, else the embedded one in DATA_DIR (default ./data)`,
].join('\n');

class UsageError extends Error {}

function fail(message: string, code: number): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

async function create(ctx: ServiceContext, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { role: { type: 'string' }, name: { type: 'string' }, organisation: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
  const { role, name, organisation } = values;
  if (role === undefined || !(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of: ${ROLES.join(', ')}`);
  if (name === undefined || name.trim().length === 0 || name.length > 200) throw new UsageError('--name must be 1 to 200 characters');
  const created = await createApiKey(ctx, SYSTEM_CALLER, { name: name.trim(), role: role as Role, organisationId: organisation ?? null });
  process.stderr.write(`Created ${created.role} key "${created.name}" (id ${created.id}). It is shown only this once; keep it safe:\n`);
  process.stdout.write(`${created.key}\n`);
}

async function list(ctx: ServiceContext, args: string[]): Promise<void> {
  if (args.length > 0) throw new UsageError(`unexpected argument: ${args[0]}`);
  const keys: ApiKey[] = [];
  let cursor: string | undefined;
  do {
    const page = await listApiKeysPage(ctx, cursor, 200);
    keys.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  for (const key of keys) {
    const state = key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`;
    process.stdout.write(`${key.id}  ${key.role.padEnd(11)}  ${state.padEnd(7)}  ${key.createdAt}  ${key.name}\n`);
  }
  if (keys.length === 0) process.stderr.write('No API keys yet.\n');
}

async function revoke(ctx: ServiceContext, args: string[]): Promise<void> {
  const [id, ...rest] = args;
  if (id === undefined || rest.length > 0) throw new UsageError('revoke takes one key id');
  if (!/^[0-9a-fA-F-]{36}$/.test(id)) throw new UsageError(`not a key id: ${id}`);
  await revokeKey(ctx, SYSTEM_CALLER, id.toLowerCase());
  process.stderr.write(`Revoked key ${id}; it stops working at once.\n`);
}

const COMMANDS: Record<string, (ctx: ServiceContext, args: string[]) => Promise<void>> = { create, list, revoke };

const [command, ...rest] = process.argv.slice(2);
const run = command === undefined ? undefined : COMMANDS[command];

let database: Database | undefined;
try {
  if (run === undefined) throw new UsageError(command === undefined ? 'no command' : `unknown command: ${command}`);
  const config = loadConfig();
  database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, holder: 'npm run api-key' });
  await run({ database, clock: systemClock }, rest);
} catch (error) {
  if (error instanceof DataDirLockedError) {
    fail(`${error.message} Stop the server and run this again, or create the key with POST /api/v1/api-keys and an admin key.`, 1);
  } else if (error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    fail(`${(error as Error).message}\n${USAGE}`, 2);
  } else if (error instanceof ConfigError || error instanceof DomainError) {
    fail(error.message, 1);
  } else {
    throw error;
  }
} finally {
  await database?.close();
}
