import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { cosigner } from '../../src/audit/cosignature.js';
import { majority, openLogCheckpoint, signLogCheckpoint } from '../../src/audit/log-checkpoint.js';
import { noteSigner } from '../../src/audit/note.js';
import { parseVkey } from '../../src/audit/vkey.js';

const key = () => generateKeyPairSync('ed25519').privateKey;
const log = noteSigner('eszl-decisions/log', key());
const witnesses = ['heerlen', 'sittard-geleen', 'maastricht'].map((name) => cosigner(`${name}.nl/witness`, key(), () => 1_800_000_000_000));
const policy = (quorum: number) => ({ log: parseVkey(log.verifierKey), witnesses: witnesses.map((w) => parseVkey(w.vkey)), quorum });
const root = Buffer.alloc(32, 7);
const note = signLogCheckpoint(log, { size: 42, root });
const text = note.slice(0, note.indexOf('\n\n') + 1);

t.test('a log checkpoint is the three lines of tlog-checkpoint, signed by the log', async (t) => {
  t.equal(text, `eszl-decisions/log\n42\n${root.toString('base64')}\n`);
  const opened = openLogCheckpoint(note, policy(0));
  t.match(opened, { ok: true, checkpoint: { origin: 'eszl-decisions/log', size: 42, root }, cosignedBy: [] });
});

t.test('a quorum of valid cosignatures opens it; fewer, or one bad one, does not', async (t) => {
  const two = note + witnesses[0]!.cosign(text) + witnesses[2]!.cosign(text);
  t.match(openLogCheckpoint(two, policy(2)), { ok: true, cosignedBy: [{ name: 'heerlen.nl/witness', timestamp: 1_800_000_000 }, { name: 'maastricht.nl/witness' }] });
  t.match(openLogCheckpoint(two, policy(3)), { ok: false, reason: /2 of the 3 witnesses cosigned the checkpoint; the quorum is 3/ });
  const twice = note + witnesses[0]!.cosign(text) + witnesses[0]!.cosign(text);
  t.match(openLogCheckpoint(twice, policy(2)), { ok: false, reason: /1 of the 3/ }, 'one witness twice is one witness');
  const forged = note + witnesses[1]!.cosign(text.replace('42', '43'));
  t.match(openLogCheckpoint(forged, policy(1)), { ok: false, reason: /invalid cosignature by sittard-geleen/ });
  const stranger = cosigner('heerlen.nl/witness', key());
  t.match(openLogCheckpoint(note + stranger.cosign(text), policy(1)), { ok: false, reason: /0 of the 3/ }, 'an unknown key of a known name is ignored');
});

t.test('without the log\'s own valid signature, or with another origin, it does not open', async (t) => {
  const other = noteSigner('eszl-decisions/log', key());
  t.match(openLogCheckpoint(signLogCheckpoint(other, { size: 42, root }), policy(0)), { ok: false, reason: /no signature by the log key/ });
  t.match(openLogCheckpoint(note.replace('\n42\n', '\n43\n'), policy(0)), { ok: false, reason: /log signature .* does not verify/ });
  const renamed = noteSigner('elsewhere/log', key());
  t.match(openLogCheckpoint(signLogCheckpoint(renamed, { size: 1, root }), { ...policy(0), log: parseVkey(renamed.verifierKey) }), { ok: true });
  const misnamed = renamed.sign(`eszl-decisions/log\n1\n${root.toString('base64')}\n`);
  t.match(openLogCheckpoint(misnamed, { ...policy(0), log: parseVkey(renamed.verifierKey) }), { ok: false, reason: /origin eszl-decisions\/log is not the log key's name elsewhere\/log/ });
  t.match(openLogCheckpoint('garbage', policy(0)), { ok: false, reason: /malformed/ });
});

t.test('the default quorum is a majority', async (t) => {
  t.same([0, 1, 2, 3, 4, 5].map(majority), [0, 1, 2, 2, 3, 3]);
});
