import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { parseVkey } from '../../src/audit/vkey.js';
import { formatAddCheckpoint } from '../../src/audit/witness-protocol.js';
import { checkAgainstState, checkRequest, type CheckedRequest } from '../../src/witness/add-checkpoint.js';
import { MemoryLog } from '../helpers/memory-log.js';

const key = generateKeyPairSync('ed25519').privateKey;
const log = new MemoryLog('eszl-decisions/log', key).append(20);
const logs = new Map([[log.signer.name, [parseVkey(log.vkey)]]]);

async function request(oldSize: number, size = log.size, source = log): Promise<CheckedRequest> {
  const body = formatAddCheckpoint({ oldSize, proof: await source.proof(oldSize, size), checkpoint: await source.checkpoint(size) });
  const checked = checkRequest(body, logs);
  if (!checked.ok) throw new Error(checked.refusal.reason);
  return checked.request;
}

t.test('refuses, before any state, in the spec\'s order: 400 malformed, 404 unknown origin, 403 signature, 400 old size above', async (t) => {
  const checkpoint = await log.checkpoint(10);
  const stranger = new MemoryLog('someone-else/log').append(10);
  const forger = new MemoryLog('eszl-decisions/log').append(10);
  const cases: [string, string, number][] = [
    ['garbage', 'hello', 400],
    ['a malformed checkpoint', formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: 'eszl-decisions/log\nten\nroot\n\n— eszl-decisions/log AAAA\n' }), 400],
    ['an unknown origin', formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: await stranger.checkpoint() }), 404],
    ['another key of the same origin', formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: await forger.checkpoint() }), 403],
    ['no signature of the log', formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: checkpoint.slice(0, checkpoint.indexOf('\n\n') + 2) + (await stranger.checkpoint()).split('\n\n')[1] }), 403],
    ['a changed size', formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: checkpoint.replace('\n10\n', '\n11\n') }), 403],
    ['old size above the checkpoint', formatAddCheckpoint({ oldSize: 11, proof: [], checkpoint }), 400],
  ];
  for (const [name, body, status] of cases) {
    const checked = checkRequest(body, logs);
    t.equal(checked.ok ? 200 : checked.refusal.status, status, name);
  }
  t.equal(checkRequest(formatAddCheckpoint({ oldSize: 10, proof: [], checkpoint }), logs).ok, true, 'old size equal to the checkpoint\'s is allowed');
});

t.test('against the state: 409 with its size for another old size, 422 for a failing proof or another root, nothing for a consistent one', async (t) => {
  const at10 = { size: 10, root: await log.root(10) };
  t.equal(checkAgainstState(await request(0), undefined), undefined, 'the first checkpoint, from 0');
  t.match(checkAgainstState(await request(0), at10), { status: 409, size: 10 });
  t.match(checkAgainstState(await request(5), at10), { status: 409, size: 10 });
  t.match(checkAgainstState(await request(10), undefined), { status: 409, size: 0 }, 'never cosigned: its size is 0');
  t.equal(checkAgainstState(await request(10), at10), undefined, 'consistent from 10 to 20');
  t.equal(checkAgainstState(await request(10, 10), at10), undefined, 'the same checkpoint again');

  const rewritten = new MemoryLog('eszl-decisions/log', key).append(20, 'rewritten entry');
  t.match(checkAgainstState(await request(10, 20, rewritten), at10), { status: 422, reason: /does not verify/ }, 'a rewritten history');
  t.match(checkAgainstState(await request(10, 10, rewritten), at10), { status: 422, reason: /another root/ }, 'the same size with another root');
  const wrongProof = { ...(await request(10)), proof: await log.proof(9, 20) };
  t.match(checkAgainstState(wrongProof, at10), { status: 422 });
  const fromZeroWithProof = { ...(await request(0)), proof: [Buffer.alloc(32)] };
  t.match(checkAgainstState(fromZeroWithProof, undefined), { status: 422 }, 'a proof from 0 must be empty');
});
