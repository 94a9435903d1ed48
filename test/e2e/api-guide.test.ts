import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { generateSigningKeyPem } from '../../src/audit/signing-key.js';
import { parseMarkdown, type CodeBlock } from '../helpers/markdown.js';
import { baseEnv, freePort, killGroup, PROJECT_DIR, serverDatabase, start, within } from '../helpers/server-process.js';

/**
 * The shell examples of the docs, exactly as written, pasted one after the other into one shell:
 * the API guide's walk-through starts a server on a database of its own, the statute rules,
 * money, AMKB settlement and auditors' blocks run against it, and the walk-through's last block
 * stops it. Every command must succeed (`bash -e -u -o pipefail`; the curls fail on any HTTP
 * error), the story must end as the docs say, and nothing may land in the project folder. With
 * DATABASE_URL set the same blocks run on PostgreSQL. Every other shell block of the docs is
 * named below with the reason it does not run here, so a new example cannot go untested unseen.
 */
interface Ref {
  file: string;
  heading: string;
  index: number;
}

const WALK = '## Try it: the demo story in one shell';
const RUN: Ref[] = [
  { file: 'docs/api-guide.md', heading: WALK, index: 0 },
  { file: 'docs/api-guide.md', heading: WALK, index: 1 },
  { file: 'docs/api-guide.md', heading: "## A college's week", index: 0 },
  { file: 'docs/api-guide.md', heading: '## Statute rules', index: 0 },
  { file: 'docs/api-guide.md', heading: '## Money', index: 0 },
  { file: 'docs/api-guide.md', heading: '### The AMKB settlement, played', index: 0 },
  { file: 'docs/auditors.md', heading: '## Checking the trail yourself', index: 0 },
  { file: 'docs/auditors.md', heading: '## Checking the trail yourself', index: 1 },
  { file: 'docs/api-guide.md', heading: WALK, index: 2 },
];

const NOT_RUN: (Ref & { why: string })[] = [
  { file: 'README.md', heading: '## Two commands', index: 0, why: 'npm ci reinstalls; npm start is test/e2e/server.test.ts and npm-start.test.ts, npm test is CI' },
  { file: 'README.md', heading: '## The first key', index: 0, why: 'the walk-through makes its key with this command (--silent, into a variable)' },
  { file: 'docs/api-guide.md', heading: '## Integrating a college back office', index: 0, why: "a template for a college's own system: its URL, key and municipality" },
  { file: 'docs/api-guide.md', heading: '## Integrating a college back office', index: 1, why: "a template for a college's own system: its URL, key and municipality" },
  { file: 'docs/operations.md', heading: '## PostgreSQL', index: 0, why: 'creates a database named eszl; the suite runs on PostgreSQL with DATABASE_URL instead' },
  { file: 'docs/operations.md', heading: '## Docker Compose', index: 0, why: 'needs a Docker engine; CI validates docker-compose.yml with dclint' },
];

const FILES = ['README.md', 'docs/api-guide.md', 'docs/auditors.md', 'docs/operations.md', 'docs/performance.md', 'docs/versioning.md'];

const key = (ref: Ref) => `${ref.file} "${ref.heading.replace(/^#+\s*/, '')}" sh block ${ref.index + 1}`;

async function shellBlocks(file: string): Promise<CodeBlock[]> {
  return parseMarkdown(await readFile(join(PROJECT_DIR, file), 'utf8')).blocks.filter((block) => block.lang === 'sh');
}

async function blockOf(ref: Ref): Promise<string> {
  const heading = ref.heading.replace(/^#+\s*/, '');
  const block = (await shellBlocks(ref.file)).find((b) => b.heading === heading && b.index === ref.index);
  if (block === undefined) throw new Error(`no ${key(ref)}`);
  return block.code;
}

t.test('every shell block of the README and the guides is run here or named with the reason it is not', async (t) => {
  const known = new Set([...RUN, ...NOT_RUN].map(key));
  for (const file of FILES) {
    for (const block of await shellBlocks(file)) {
      const name = key({ file, heading: block.heading, index: block.index });
      t.ok(known.has(name), `${name} (line ${block.line}) is accounted for`);
      known.delete(name);
    }
  }
  t.same([...known], [], 'and every block named here still exists');
});

t.test("the guides' examples run as written, in one shell, and tell the story they promise", async (t) => {
  const script = (await Promise.all(RUN.map(blockOf))).join('\n');
  t.match(script, /npm run --silent api-key -- create --role admin/, 'the walk-through makes its key with the CLI');
  t.notMatch(script, /127\.0\.0\.1:3000/, 'no block hard-codes the port');

  const scratch = await mkdtemp(join(tmpdir(), 'eszl-guide-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const database = await serverDatabase(t);
  // dist/ is what `npm start` builds; anything else new would be a stray output.
  const projectFiles = async () => (await readdir(PROJECT_DIR)).filter((name) => name !== 'dist').sort();
  const projectBefore = await projectFiles();

  const shell = start(
    {
      ...baseEnv('npm_config_cache'),
      TMPDIR: scratch,
      PORT: String(await freePort()),
      // On PostgreSQL a deployment signs its checkpoints with AUDIT_SIGNING_KEY (operations.md).
      ...(database?.url !== undefined && { DATABASE_URL: database.url, AUDIT_SIGNING_KEY: generateSigningKeyPem() }),
    },
    { command: 'bash', args: ['-e', '-u', '-o', 'pipefail', '-c', script] },
  );
  t.teardown(() => killGroup(shell));
  const exit = await within(shell.exited, 300_000);
  if (!t.same(exit, { code: 0, signal: null }, 'every command succeeded')) {
    t.comment(`stdout:\n${shell.stdout().slice(-4000)}\nstderr:\n${shell.stderr().slice(-4000)}`);
  }

  const out = shell.stdout();
  t.match(out, /Loaded the demo story/, 'the demo story is loaded');
  t.match(out, /"pendingCents":14000000/, 'WTMR 2026 is pending before the votes');
  t.match(out, /awaiting Heerlen: .*WTMR.*AMKB|awaiting Heerlen: .*AMKB.*WTMR/, 'Heerlen sees both decisions awaiting its vote');
  t.match(out, /"outcome":"approve","decidedOn":"2026-02-10"/, 'the colleges approve');
  t.match(out, /^ratified$/m, 'WTMR ends ratified');
  t.match(out, /"totalBindingCents":39000000,"totalPendingCents":0/, 'and its money binding');
  t.match(out, /"valid":true/, 'the service verifies its chain');
  t.match(out, /^overview: \S+AMKB Gemeente Heerlen awaiting, votes so far 1$/m, "Heerlen's overview: AMKB awaits it, Maastricht voted");
  t.notMatch(out, /^overview: \S+WTMR/m, 'WTMR, ratified, is no longer in it');
  t.match(out, /^voted: \S+AMKB Gemeente Maastricht approve$/m, 'the overview shows who voted');
  t.match(out, /^Verzoek om instemming met principebesluit .+ \(\d{4}-\d{2}-\d{2}, seq \d+\)$/m, 'the request as data');
  t.match(out, /^%PDF-$/m, 'the letter as PDF');
  t.match(out, /^letter unchanged: 304$/m, 'If-None-Match with its ETag: 304');

  const from = /"effectiveFrom":"(\d{4}-\d{2}-01)"/.exec(out)?.[1];
  t.ok(from !== undefined && from > new Date().toISOString().slice(0, 10), `the statute rule starts on the first of a month to come (${from})`);
  t.match(out, /"version":2/, 'as version 2');
  t.match(out, /"period":"2026","target":60,"actual":40/, "WTMR's indicator shows the report");

  t.match(out, /"status":"settled"/, 'the AMKB amendment is settled');
  t.match(out, /"totalBindingCents":24000000,"totalPendingCents":0,"totalDisbursedCents":10000000,"totalReleasedCents":1000000/, "AMKB's programme at its final amount");
  t.match(out, /"year":2026,"bindingCents":38000000,"pendingCents":0/, 'ESZL-wide 2026 as the table says');

  const verdicts = out.match(/^verdict: VALID$/gm) ?? [];
  t.equal(verdicts.length, 5, 'the offline verifier passes the walk-through export and the four auditor checks');
  t.notMatch(out, /verdict: INVALID/, 'and finds nothing invalid');
  t.match(out, /^checkpoint: /m, 'it checks the export against the checkpoint');
  t.match(out, /^decision: \{/m, 'and rebuilds WTMR as of a date');
  t.match(out, /"vote_events":\[/, 'the open data answers without a key');
  t.notMatch(out, /eszl_[A-Za-z0-9_-]{43}/, 'no key is printed: the blocks keep them in variables');

  for (const [label, pattern] of [
    ['walk-through', /The walk-through's database, server log and files are in (\S+)/],
    ["auditors'", /The exports and checkpoints are in (\S+)/],
  ] as const) {
    const folder = pattern.exec(out)?.[1];
    t.ok(folder?.startsWith(scratch), `the ${label} files went to a temporary folder (${folder})`);
  }
  t.same(await projectFiles(), projectBefore, 'and nothing new is in the project folder');
});
