import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { cosigner, verifyCosignature } from '../../src/audit/cosignature.js';
import { parseNote } from '../../src/audit/note.js';
import { parseVkey } from '../../src/audit/vkey.js';
import { formatAddCheckpoint, formatSizeBody, TLOG_SIZE_CONTENT_TYPE } from '../../src/audit/witness-protocol.js';
import { createWitnessServer } from '../../src/witness/server.js';
import { StateStore } from '../../src/witness/state-store.js';
import { MemoryLog, noteText } from '../helpers/memory-log.js';
import { tempDataDir } from '../helpers/server-process.js';

/**
 * The witness's two endpoints over real HTTP, in this process: every answer the spec names, with
 * its exact body; the state saved only for a cosigned checkpoint; racing requests serialized per
 * origin; a failure inside answers 500 and is logged.
 */
const logKey = generateKeyPairSync('ed25519').privateKey;
const log = new MemoryLog('eszl-decisions/log', logKey).append(30);
const logs = new Map([[log.signer.name, [parseVkey(log.vkey)]]]);
const witness = cosigner('heerlen.example/witness', generateKeyPairSync('ed25519').privateKey);

async function startServer(t: Test, options: { store?: StateStore; maxBodyBytes?: number } = {}) {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const store = options.store ?? StateStore.open(await tempDataDir(t, 'witness-server-'));
  const server = createWitnessServer({ logs, cosigner: witness, store, logger, ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const submit = async (oldSize: number, size: number, source = log) =>
    fetch(`${url}/add-checkpoint`, { method: 'POST', body: formatAddCheckpoint({ oldSize, proof: await source.proof(oldSize, size), checkpoint: await source.checkpoint(size) }) });
  return { url, store, lines, submit };
}

t.test('GET /vkey, and 405 and 404 for anything else', async (t) => {
  const { url } = await startServer(t);
  const vkey = await fetch(`${url}/vkey`);
  t.equal(vkey.status, 200);
  t.equal(await vkey.text(), `${witness.vkey}\n`);
  t.equal(vkey.headers.get('cache-control'), 'no-store');
  t.equal((await fetch(`${url}/vkey?x=1`, { method: 'HEAD' })).status, 200, 'HEAD too, a query ignored');
  t.equal((await fetch(`${url}/vkey`, { method: 'POST', body: 'x' })).status, 405);
  t.equal((await fetch(`${url}/add-checkpoint`)).status, 405);
  const missing = await fetch(`${url}/checkpoint`);
  t.equal(missing.status, 404);
  t.equal(await missing.text(), 'not found\n');
});

t.test('add-checkpoint: cosigned and saved; 409 with the size; 422 for a rewritten history; 400; 413', async (t) => {
  const { url, store, lines, submit } = await startServer(t, { maxBodyBytes: 4_096 });
  const first = await submit(0, 10);
  t.equal(first.status, 200);
  const line = await first.text();
  const text = noteText(await log.checkpoint(10));
  const parsed = parseNote(`${text}\n${line}`);
  t.ok(parsed.ok && verifyCosignature(parsed.signatures[0]!, text, parseVkey(witness.vkey)).ok, 'a valid cosignature of the checkpoint');
  t.match(store.get(log.signer.name), { size: 10, root: await log.root(10) }, 'saved');
  t.match(store.get(log.signer.name)!.note, line, 'with its cosignature');

  const stale = await submit(0, 20);
  t.equal(stale.status, 409);
  t.equal(stale.headers.get('content-type'), TLOG_SIZE_CONTENT_TYPE);
  t.equal(await stale.text(), formatSizeBody(10));
  t.equal((await submit(10, 20)).status, 200, 'from the size it has');
  t.equal(store.get(log.signer.name)!.size, 20);

  const rewritten = new MemoryLog('eszl-decisions/log', logKey).append(30, 'rewritten');
  const forked = await submit(20, 30, rewritten);
  t.equal(forked.status, 422);
  t.equal(store.get(log.signer.name)!.size, 20, 'nothing saved');
  const warning = lines.find((l) => l.level === 40);
  t.match(warning, { msg: 'add-checkpoint refused', status: 422, oldSize: 20, size: 30 }, 'a fork is a warning');
  t.match(String(warning?.checkpoint), 'eszl-decisions/log\n30\n', 'with the checkpoint as evidence');

  const garbage = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: 'hello' });
  t.equal(garbage.status, 400);
  t.match(lines.at(-1), { level: 30, msg: 'add-checkpoint refused', status: 400 });
  const huge = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: 'x'.repeat(5_000) }).catch((error: unknown) => error as Error);
  t.ok(huge instanceof Error || huge.status === 413, 'a body beyond the limit: 413, or the connection closed while sending');
  if (!(huge instanceof Error)) t.equal(await huge.text(), 'request body too large\n');
});

t.test('racing requests for one origin: one cosigns, the others learn its size', async (t) => {
  const { submit, store } = await startServer(t);
  const answers = await Promise.all(Array.from({ length: 8 }, () => submit(0, 15)));
  t.same(answers.map((a) => a.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409]);
  t.equal(store.get(log.signer.name)!.size, 15);
});

t.test('a failure while saving: 500, logged, nothing cosigned', async (t) => {
  const real = StateStore.open(await tempDataDir(t, 'witness-server-'));
  const failing = Object.assign(Object.create(real) as StateStore, {
    save: async () => {
      throw new Error('disk full');
    },
  });
  const { submit, lines } = await startServer(t, { store: failing });
  const answer = await submit(0, 10);
  t.equal(answer.status, 500);
  t.equal(await answer.text(), 'internal error\n');
  t.match(lines.find((l) => l.level === 50), { msg: 'add-checkpoint failed', err: { message: 'disk full' } });
  t.equal(real.get(log.signer.name), undefined);
});
