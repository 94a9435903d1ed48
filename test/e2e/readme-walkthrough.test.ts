import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { baseEnv, freePort, killGroup, PROJECT_DIR, serverDatabase, start, within } from '../helpers/server-process.js';

/**
 * The README's walk-through, exactly as written, pasted into one shell: every command must
 * succeed (`bash -e -o pipefail`, and its curls fail on any HTTP error), the story must end as
 * the README says, and nothing may land in the project folder. With DATABASE_URL set the same
 * block runs on PostgreSQL.
 */
const HEADING = '### Walking through the demo story with curl';

function walkThroughBlock(readme: string): string {
  const heading = readme.indexOf(HEADING);
  if (heading < 0) throw new Error(`README.md has no "${HEADING}"`);
  const open = readme.indexOf('```sh\n', heading);
  const close = readme.indexOf('\n```', open + 6);
  if (open < 0 || close < 0) throw new Error('the walk-through has no ```sh block');
  return readme.slice(open + 6, close + 1);
}

t.test("the README's walk-through runs as written, in one shell, and tells the story it promises", async (t) => {
  const block = walkThroughBlock(await readFile(join(PROJECT_DIR, 'README.md'), 'utf8'));
  t.match(block, /npm run seed:demo/, 'the block seeds the demo story');
  t.match(block, /npm run --silent api-key -- create --role admin/, 'and makes its key with the CLI');

  const scratch = await mkdtemp(join(tmpdir(), 'eszl-walk-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const database = await serverDatabase(t);
  // dist/ is what `npm run build` in the block is for; anything else new would be a stray output.
  const projectFiles = async () => (await readdir(PROJECT_DIR)).filter((name) => name !== 'dist').sort();
  const projectBefore = await projectFiles();

  const shell = start(
    {
      ...baseEnv('npm_config_cache'),
      TMPDIR: scratch,
      PORT: String(await freePort()),
      ...(database?.url !== undefined && { DATABASE_URL: database.url }),
    },
    { command: 'bash', args: ['-e', '-u', '-o', 'pipefail', '-c', block] },
  );
  t.teardown(() => killGroup(shell));
  const exit = await within(shell.exited, 240_000);
  if (!t.same(exit, { code: 0, signal: null }, 'every command succeeded')) {
    t.comment(`stdout:\n${shell.stdout().slice(-3000)}\nstderr:\n${shell.stderr().slice(-3000)}`);
  }

  const stdout = shell.stdout();
  t.match(stdout, /Loaded the demo story/, 'the demo story is loaded');
  t.match(stdout, /"pendingCents":14000000/, 'WTMR 2026 is pending before the votes');
  t.match(stdout, /"outcome":"approve","decidedOn":"2026-02-10"/, 'the colleges approve');
  t.match(stdout, /^ratified$/m, 'WTMR ends ratified');
  t.match(stdout, /"totalBindingCents":39000000,"totalPendingCents":0/, 'and its money binding');
  t.match(stdout, /"valid":true/, 'the service verifies its chain');
  t.match(stdout, /verdict: VALID/, 'and so does the offline verifier');
  t.notMatch(stdout, /eszl_[A-Za-z0-9_-]{43}/, 'no key is printed: the block keeps them in variables');

  const walkFolder = /The walk-through's database, server log and export are in (\S+)/.exec(stdout)?.[1];
  t.ok(walkFolder?.startsWith(scratch), `its files went to a temporary folder (${walkFolder})`);
  t.same(await projectFiles(), projectBefore, 'and nothing new is in the project folder');
});
