import { randomUUID } from 'node:crypto';
import t from 'tap';
import { baseEnv, serverDatabase, start, tempDataDir, within } from '../helpers/server-process.js';
import { nodeArgs } from '../helpers/project-dir.js';

/**
 * `npm run api-key` as an operator runs it, a process of its own on the run's database (the
 * embedded one in a DATA_DIR, or PostgreSQL): create prints the key and only the key on stdout,
 * list and revoke report on the keys, and a wrong command, setting or value ends with one
 * message and exit code 2 (usage) or 1. Refusing a DATA_DIR in use is test/e2e/data-dir-lock's.
 * The refusals are the same code on either database: they run in the PostgreSQL run only, where a
 * process opens its database in a fraction of a second, not the seconds the embedded one takes.
 */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const database = await serverDatabase(t);
const env = { ...baseEnv(), ...(database ? { DATABASE_URL: database.url! } : { DATA_DIR: await tempDataDir(t, 'eszl-api-key-') }) };
const REFUSALS_RUN = database ? false : 'the same in either run: runs in the PostgreSQL run (DATABASE_URL)';

async function apiKey(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  const run = start({ ...env, ...extra }, { args: nodeArgs(['src/cli/api-key.ts'], ...args), detached: false });
  const exit = await within(run.exited, 60_000);
  if (exit === 'timeout') throw new Error(`npm run api-key ${args.join(' ')} did not end`);
  return { code: exit.code, stdout: run.stdout(), stderr: run.stderr() };
}

const USAGE = /usage: npm run api-key -- create --role <role> --name <name>/;

t.test('without a command, or with a setting that is wrong, it stops before opening the database', { skip: REFUSALS_RUN }, async (t) => {
  t.match(await apiKey([]), { code: 2, stdout: '', stderr: /^no command\nusage: npm run api-key/ });
  t.match(await apiKey(['list'], { ADMIN_API_KEY: 'short' }), { code: 1, stdout: '', stderr: /^Invalid configuration: ADMIN_API_KEY / });
});

t.test('create prints the key alone on stdout; list shows it active; revoke ends it', async (t) => {
  const created = await apiKey(['create', '--role', 'admin', '--name', '  Jane, ESZL  ']);
  t.equal(created.code, 0, created.stderr);
  t.match(created.stdout, /^[A-Za-z0-9_-]{32,}\n$/, 'one line: the key');
  const id = /\(id ([0-9a-f-]{36})\)/.exec(created.stderr)?.[1];
  t.match(created.stderr, /^Created admin key "Jane, ESZL" \(id [0-9a-f-]{36}\)\. It is shown only this once; keep it safe:\n$/, 'the name trimmed');

  const listed = await apiKey(['list']);
  t.equal(listed.code, 0);
  t.match(listed.stdout, new RegExp(`^${id}  admin        active   \\d{4}-\\d{2}-\\d{2}T\\S+  Jane, ESZL\\n$`));

  const revoked = await apiKey(['revoke', id!.toUpperCase()]);
  t.same(revoked, { code: 0, stdout: '', stderr: `Revoked key ${id!.toUpperCase()}; it stops working at once.\n` });
  if (database) t.match((await apiKey(['list'])).stdout, new RegExp(`^${id}  admin        revoked \\S+  \\S+  Jane, ESZL\\n$`), 'listed as revoked');
});

t.test('a wrong role or argument is a usage error (2); what the register refuses is an error (1)', { skip: REFUSALS_RUN }, async (t) => {
  t.match(await apiKey(['create', '--role', 'emperor', '--name', 'Nero']), { code: 2, stdout: '', stderr: /^--role must be one of: admin, secretariat, college, auditor, reader\n/ });
  t.match(await apiKey(['revoke', 'key-1', '--force']), { code: 2, stderr: USAGE });
  const unknown = randomUUID();
  t.same(await apiKey(['revoke', unknown]), { code: 1, stdout: '', stderr: `API key ${unknown} does not exist.\n` });
});
