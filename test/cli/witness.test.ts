import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseNote } from '../../src/audit/note.js';
import { verifyCosignature } from '../../src/audit/cosignature.js';
import { parseVkey } from '../../src/audit/vkey.js';
import { formatAddCheckpoint } from '../../src/audit/witness-protocol.js';
import { MemoryLog, noteText } from '../helpers/memory-log.js';
import { baseEnv, freePort, killGroup, start, tempDataDir, type Started } from '../helpers/server-process.js';
import { nodeArgs } from '../helpers/project-dir.js';

/** The witness program as a municipality runs it: a real process on a free port, spoken to over HTTP. */
const logKey = generateKeyPairSync('ed25519').privateKey;
const log = new MemoryLog('eszl-decisions/log', logKey).append(30);
const witnessPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

async function startWitness(t: Test, dataDir: string, env: Record<string, string> = {}): Promise<{ url: string; vkey: string; process: Started }> {
  const port = await freePort();
  const process = start(
    { ...baseEnv(), WITNESS_LOGS: log.vkey, WITNESS_NAME: 'heerlen.example/witness', WITNESS_DATA_DIR: dataDir, PORT: String(port), WITNESS_SIGNING_KEY: witnessPem, ...env },
    { args: nodeArgs(['src/cli/witness.ts']) },
  );
  t.teardown(() => killGroup(process));
  const deadline = Date.now() + 30_000;
  while (!/listening/.test(process.stdout())) {
    if (Date.now() > deadline || process.child.exitCode !== null) throw new Error(`the witness did not start:\n${process.stderr()}\n${process.stdout()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `http://127.0.0.1:${port}`, vkey: process.stdout().split('\n')[0]!, process };
}

const post = (url: string, body: string) => fetch(`${url}/add-checkpoint`, { method: 'POST', body });
const submit = async (url: string, oldSize: number, size: number, source = log) =>
  post(url, formatAddCheckpoint({ oldSize, proof: await source.proof(oldSize, size), checkpoint: await source.checkpoint(size) }));

t.test('prints its vkey first, serves it, and answers every case of add-checkpoint with the spec\'s status', async (t) => {
  const dataDir = await tempDataDir(t, 'witness-');
  const { url, vkey } = await startWitness(t, dataDir);
  const witness = parseVkey(vkey);
  t.equal(witness.type, 4, 'the first line is a cosignature/v1 vkey');
  t.equal(witness.name, 'heerlen.example/witness');
  t.equal(await (await fetch(`${url}/vkey`)).text(), `${vkey}\n`);

  const first = await submit(url, 0, 10);
  t.equal(first.status, 200);
  const line = await first.text();
  const parsed = parseNote(`${noteText(await log.checkpoint(10))}\n${line}`);
  t.ok(parsed.ok && verifyCosignature(parsed.signatures[0]!, noteText(await log.checkpoint(10)), witness).ok, 'a valid cosignature of the checkpoint');

  const stale = await submit(url, 0, 10);
  t.equal(stale.status, 409);
  t.equal(stale.headers.get('content-type'), 'text/x.tlog.size');
  t.equal(await stale.text(), '10\n');
  t.equal((await submit(url, 10, 20)).status, 200, 'consistent from 10 to 20');

  const rewritten = new MemoryLog('eszl-decisions/log', logKey).append(30, 'rewritten');
  t.equal((await submit(url, 20, 30, rewritten)).status, 422, 'a rewritten history');
  t.equal((await submit(url, 20, 20, rewritten)).status, 422, 'the same size with another root');
  const above = formatAddCheckpoint({ oldSize: 25, proof: [], checkpoint: await log.checkpoint(20) });
  t.equal((await post(url, above)).status, 400, 'old size above the checkpoint\'s');
  t.equal((await submit(url, 20, 30, new MemoryLog('elsewhere/log').append(30))).status, 404, 'an unknown origin');
  t.equal((await submit(url, 20, 30, new MemoryLog('eszl-decisions/log').append(30))).status, 403, 'not signed by the log\'s key');
  t.equal((await post(url, 'old twenty\n\n')).status, 400, 'a malformed body');
  t.equal((await fetch(`${url}/add-checkpoint`)).status, 405);
  t.equal((await fetch(`${url}/nothing`)).status, 404);
});

t.test('of racing submissions from the same old size exactly one is cosigned, and what it answered survives a kill', async (t) => {
  const dataDir = await tempDataDir(t, 'witness-');
  const first = await startWitness(t, dataDir);
  t.equal((await submit(first.url, 0, 20)).status, 200);
  const answers = await Promise.all([21, 22, 23, 24, 25, 26, 27, 28, 29, 30].map((size) => submit(first.url, 20, size)));
  const statuses = answers.map((answer) => answer.status);
  t.equal(statuses.filter((s) => s === 200).length, 1, `one 200 (${statuses.join(' ')})`);
  t.equal(statuses.filter((s) => s === 409).length, 9, 'the rest learn the new size');
  const winner = 21 + statuses.indexOf(200);
  t.same(new Set(await Promise.all(answers.filter((a) => a.status === 409).map((a) => a.text()))), new Set([`${winner}\n`]));

  killGroup(first.process);
  await first.process.exited;
  const second = await startWitness(t, dataDir);
  t.equal(second.vkey, first.vkey);
  const again = await submit(second.url, 0, 30);
  t.equal(again.status, 409);
  t.equal(await again.text(), `${winner}\n`, 'the cosigned size was on disk before the answer');
});

t.test('generates and keeps a key when none is given, reads one from a file, and stops with one line on a bad setting', async (t) => {
  const dataDir = await tempDataDir(t, 'witness-');
  const generated = await startWitness(t, dataDir, { WITNESS_SIGNING_KEY: '' });
  t.ok(existsSync(join(dataDir, 'witness-key.pem')));
  t.match(generated.process.stdout(), /generated a key/);
  killGroup(generated.process);
  await generated.process.exited;
  const keyFile = join(dataDir, 'own-key.pem');
  writeFileSync(keyFile, witnessPem);
  const fromFile = await startWitness(t, await tempDataDir(t, 'witness-'), { WITNESS_SIGNING_KEY: keyFile });
  t.not(fromFile.vkey, generated.vkey);

  for (const [env, message] of [
    [{ WITNESS_LOGS: '' }, /WITNESS_LOGS is required/],
    [{ WITNESS_LOGS: 'nonsense' }, /WITNESS_LOGS: "nonsense"/],
    [{ WITNESS_NAME: 'two words' }, /WITNESS_NAME/],
    [{ WITNESS_SIGNING_KEY: '/no/such/file' }, /WITNESS_SIGNING_KEY .* \(value hidden\)/],
  ] as const) {
    const defaults = { WITNESS_LOGS: log.vkey, WITNESS_NAME: 'w', WITNESS_DATA_DIR: dataDir, PORT: '0' };
    const failed = start({ ...baseEnv(), ...defaults, ...env }, { args: nodeArgs(['src/cli/witness.ts']) });
    t.teardown(() => killGroup(failed));
    t.equal((await failed.exited).code, 78, JSON.stringify(env));
    t.match(failed.stderr(), message);
  }
});
