import { generateKeyPairSync, randomUUID } from 'node:crypto';
import t from 'tap';
import { eventHash, GENESIS_HASH, type AuditEvent } from '../../src/audit/chain.js';
import { cosigner } from '../../src/audit/cosignature.js';
import { verifyEvidence } from '../../src/audit/evidence.js';
import { signLogCheckpoint } from '../../src/audit/log-checkpoint.js';
import { leafHash } from '../../src/audit/merkle.js';
import { inclusionProofs, treeRoot } from '../../src/audit/merkle-proofs.js';
import { noteSigner } from '../../src/audit/note.js';
import { appendLeaves, memoryNodeReader } from '../../src/audit/tile-tree.js';
import { parseVkey } from '../../src/audit/vkey.js';

/** A decision's evidence checked with keys alone, and each way it can be wrong named. */
const key = () => generateKeyPairSync('ed25519').privateKey;
const log = noteSigner('eszl-decisions/log', key());
const witnesses = [cosigner('heerlen.example/w', key()), cosigner('maastricht.example/w', key())];
const decisionId = randomUUID();

// A trail of 300 events, every tenth about the decision.
const trail: AuditEvent[] = [];
for (let seq = 1; seq <= 300; seq++) {
  const about = seq % 10 === 0 ? decisionId : randomUUID();
  const body = { seq, occurredAt: '2026-12-01T10:00:00.000Z', actor: { keyId: null, role: 'admin', organisationId: null }, action: 'decision.updated', resourceType: 'decision', resourceId: about, data: { n: seq } };
  const prevHash = trail.at(-1)?.hash ?? GENESIS_HASH;
  trail.push({ ...body, prevHash, hash: eventHash(prevHash, body) });
}
const tiles = appendLeaves(0, [], trail.map((event) => leafHash(Buffer.from(event.hash, 'hex'))));
const reader = memoryNodeReader(tiles);
const note = signLogCheckpoint(log, { size: 300, root: await treeRoot(300, reader) });
const text = note.slice(0, note.indexOf('\n\n') + 1);
const cosigned = note + witnesses.map((w) => w.cosign(text)).join('');
const mine = trail.filter((event) => event.resourceId === decisionId);
const proofs = await inclusionProofs(mine.map((event) => event.seq - 1), 300, reader);
const evidence = {
  decisionId,
  checkpoint: cosigned,
  events: mine.map((event, i) => ({ event, proof: { leafIndex: event.seq - 1, treeSize: 300, hashes: proofs[i]!.map((hash) => hash.toString('hex')) } })),
};
const policy = { log: parseVkey(log.verifierKey), witnesses: witnesses.map((w) => parseVkey(w.vkey)), quorum: 2 };
const copy = () => JSON.parse(JSON.stringify(evidence)) as typeof evidence;

t.test('evidence that holds verifies, and says what it checked', async (t) => {
  t.match(verifyEvidence(evidence, policy), { ok: true, lines: [/size 300, .*cosigned by heerlen.example\/w, maastricht.example\/w \(quorum 2\)/, /events: 30 about decision/] });
});

t.test('names the first thing that does not hold', async (t) => {
  const cases: [string, (e: ReturnType<typeof copy>) => unknown, RegExp][] = [
    ['a changed event', (e) => ((e.events[3]!.event.data as { n: number }).n = 1), /event seq 40: its hash does not match its content/],
    ['a rewritten event, rehashed', (e) => {
      const event = e.events[3]!.event;
      event.data = { n: -1 };
      event.hash = eventHash(event.prevHash, event);
    }, /event seq 40: the inclusion proof does not verify/],
    ['a changed proof', (e) => (e.events[5]!.proof.hashes[2] = '0'.repeat(64)), /event seq 60: the inclusion proof does not verify/],
    ['a proof for another tree', (e) => (e.events[0]!.proof.treeSize = 299), /proof is for tree size 299/],
    ['another decision\'s event', (e) => (e.events[1]!.event.resourceId = randomUUID()), /event seq 20 is not about decision/],
    ['events out of order', (e) => e.events.reverse(), /not in seq order/],
    ['a checkpoint changed', (e) => (e.checkpoint = e.checkpoint.replace('\n300\n', '\n301\n')), /checkpoint: the log signature .* does not verify/],
    ['a cosignature missing', (e) => (e.checkpoint = e.checkpoint.split('\n').filter((line) => !line.includes('maastricht')).join('\n')), /checkpoint: 1 of the 2 witnesses cosigned the checkpoint; the quorum is 2/],
    ['no events array', (e) => delete (e as { events?: unknown }).events, /malformed evidence: events is missing/],
    ['a proof hash not hex', (e) => (e.events[0]!.proof.hashes[0] = 'zz'), /malformed evidence: events\[0\]: a proof hash/],
  ];
  for (const [name, corrupt, failure] of cases) {
    const broken = copy();
    corrupt(broken);
    t.match(verifyEvidence(broken, policy), { ok: false, failure }, name);
  }
  t.match(verifyEvidence(evidence, { ...policy, log: parseVkey(noteSigner('eszl-decisions/log', key()).verifierKey) }), { ok: false, failure: /no signature by the log key/ }, 'another log key');
  t.match(verifyEvidence('[]', policy), { ok: false, failure: /malformed/ });
});
