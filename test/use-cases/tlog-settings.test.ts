import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { cosigner } from '../../src/audit/cosignature.js';
import { noteSigner } from '../../src/audit/note.js';
import { parseWitnessList } from '../../src/audit/witness-list.js';
import { requireLogSigner, tlogSettings, witnessId } from '../../src/use-cases/tlog-settings.js';

/** The log's settings: the quorum defaults to a majority of the witnesses; no signer, no log. */
const signer = noteSigner('eszl-decisions/log', generateKeyPairSync('ed25519').privateKey);
const witnesses = parseWitnessList(
  ['a', 'b', 'c'].map((name) => `${cosigner(`${name}.example/witness`, generateKeyPairSync('ed25519').privateKey).vkey}@https://${name}.example`).join(','),
);

t.test('the quorum: a majority of the witnesses unless given; none without witnesses', async (t) => {
  const settings = (count: number, quorum?: number) => tlogSettings({ origin: signer.name, signer, witnesses: witnesses.slice(0, count), quorum, witnessTimeoutMs: 1_000 });
  t.equal(settings(0).quorum, 0);
  t.equal(settings(1).quorum, 1);
  t.equal(settings(2).quorum, 2);
  t.equal(settings(3).quorum, 2);
  t.equal(settings(3, 1).quorum, 1, 'given');
  t.equal(settings(3, 0).quorum, 0, 'zero given is zero, not the default');
  const all = settings(3);
  t.match(all, { origin: 'eszl-decisions/log', witnessTimeoutMs: 1_000 });
  t.equal(all.fullTiles.size, 0);
  t.equal(all.fullTiles.max, 4_096, 'the tile cache is bounded');
  t.not(settings(3).fullTiles, all.fullTiles, 'each settings its own cache');
});

t.test('a witness is stored by its vkey', async (t) => {
  t.equal(witnessId(witnesses[0]!), witnesses[0]!.vkey.text);
  t.match(witnessId(witnesses[1]!), /^b\.example\/witness\+[0-9a-f]{8}\+/);
});

t.test('no signer: the log answers AUDIT_SIGNING_KEY_MISSING', async (t) => {
  t.equal(requireLogSigner(tlogSettings({ origin: 'o', signer, witnesses: [], witnessTimeoutMs: 1 })), signer);
  t.throws(() => requireLogSigner(tlogSettings({ origin: 'o', signer: undefined, witnesses: [], witnessTimeoutMs: 1 })), { code: 'AUDIT_SIGNING_KEY_MISSING', message: /no AUDIT_SIGNING_KEY/ });
});
