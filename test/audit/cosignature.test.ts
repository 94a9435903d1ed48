import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import t from 'tap';
import { cosignatureMessage, cosignatureTimestamp, cosigner, verifyCosignature } from '../../src/audit/cosignature.js';
import { parseNote, rawPublicKey } from '../../src/audit/note.js';
import { parseVkey } from '../../src/audit/vkey.js';

/**
 * The examples of C2SP tlog-cosignature, transparency-dev/formats' timestamp vectors, and a
 * check of our lines by a verifier written here from the spec's text alone.
 */
const SPEC_CHECKPOINT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_NOTE =
  `${SPEC_CHECKPOINT}\n` +
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';

t.test('the signed message is the spec\'s example byte for byte', async (t) => {
  t.equal(
    cosignatureMessage(SPEC_CHECKPOINT, 1679315147).toString('utf8'),
    'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
  );
});

t.test('reads the timestamp of the spec\'s example cosignature and of transparency-dev/formats\' vector', async (t) => {
  const parsed = parseNote(SPEC_NOTE);
  if (!parsed.ok) throw new Error(parsed.reason);
  const [log, witness] = parsed.signatures;
  t.equal(witness!.name, 'witness.example.com/w1');
  t.equal(cosignatureTimestamp(witness!.signature), 1679315147n, 'the time of the spec\'s example message');
  t.equal(cosignatureTimestamp(log!.signature), undefined, 'a plain Ed25519 signature is no cosignature');
  const formats = Buffer.from('ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==', 'base64');
  t.equal(cosignatureTimestamp(formats.subarray(4)), 1727964367n);
  const plain = Buffer.from('eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=', 'base64');
  t.equal(cosignatureTimestamp(plain.subarray(4)), undefined);
});

/** A verifier of one cosignature line written from tlog-cosignature's text, sharing no code with src/. */
function specVerify(line: string, name: string, publicKey: Buffer, text: string): number | undefined {
  const [dash, lineName, b64] = line.trimEnd().split(' ');
  if (dash !== '\u2014' || lineName !== name) return undefined;
  const bytes = Buffer.from(b64!, 'base64');
  const keyId = createHash('sha256').update(`${name}\n`).update(Buffer.from([4])).update(publicKey).digest().subarray(0, 4);
  if (bytes.length !== 76 || !bytes.subarray(0, 4).equals(keyId)) return undefined;
  const time = bytes.readBigUInt64BE(4);
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
  return verify(null, Buffer.from(`cosignature/v1\ntime ${time}\n${text}`), key, bytes.subarray(12)) ? Number(time) : undefined;
}

t.test('a cosignature line verifies with a verifier written from the spec, and with our own', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const witness = cosigner('witness.example/heerlen', privateKey, () => 1_700_000_000_999);
  const line = witness.cosign(SPEC_CHECKPOINT);
  t.match(line, /^— witness\.example\/heerlen [A-Za-z0-9+/]{102}==\n$/);
  t.equal(specVerify(line, 'witness.example/heerlen', rawPublicKey(publicKey), SPEC_CHECKPOINT), 1_700_000_000, 'whole seconds');
  const vkey = parseVkey(witness.vkey);
  t.equal(vkey.type, 4);
  const parsed = parseNote(`${SPEC_CHECKPOINT}\n${line}`);
  if (!parsed.ok) throw new Error(parsed.reason);
  t.same(verifyCosignature(parsed.signatures[0]!, SPEC_CHECKPOINT, vkey), { ok: true, timestamp: 1_700_000_000 });
  t.match(verifyCosignature(parsed.signatures[0]!, SPEC_CHECKPOINT.replace('20852163', '20852164'), vkey), { ok: false, reason: /invalid cosignature/ });
  const other = parseVkey(cosigner('witness.example/heerlen', generateKeyPairSync('ed25519').privateKey).vkey);
  t.match(verifyCosignature(parsed.signatures[0]!, SPEC_CHECKPOINT, other), { ok: false, reason: /not by/ });
  const truncated = { ...parsed.signatures[0]!, signature: parsed.signatures[0]!.signature.subarray(8) };
  t.match(verifyCosignature(truncated, SPEC_CHECKPOINT, vkey), { ok: false, reason: /not 72 bytes/ });
  t.throws(() => witness.cosign('no newline'), /newline/);
  t.throws(() => cosigner('a b', privateKey), /invalid witness name/);
});
