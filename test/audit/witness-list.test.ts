import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { cosigner } from '../../src/audit/cosignature.js';
import { noteSigner } from '../../src/audit/note.js';
import { parseWitnessList } from '../../src/audit/witness-list.js';

/** AUDIT_LOG_WITNESSES: comma-separated `<vkey>@<submission URL prefix>`, each vkey a cosigner's (0x04). */
const key = () => generateKeyPairSync('ed25519').privateKey;
const heerlen = cosigner('heerlen.example/w', key()).vkey;
const maastricht = cosigner('maastricht.example/w', key()).vkey;

t.test('reads each witness\'s vkey and URL prefix, without a trailing slash', async (t) => {
  const list = parseWitnessList(` ${heerlen}@https://witness.heerlen.example/eszl/ ,${maastricht}@http://127.0.0.1:3100`);
  t.same(list.map((w) => [w.vkey.name, w.url]), [['heerlen.example/w', 'https://witness.heerlen.example/eszl'], ['maastricht.example/w', 'http://127.0.0.1:3100']]);
  t.same(parseWitnessList(''), []);
});

t.test('refuses what is not a cosigner at an http(s) URL, and a witness named twice', async (t) => {
  const logKey = noteSigner('eszl-decisions/log', key()).verifierKey;
  const cases: [string, RegExp][] = [
    [`${heerlen}`, /is not <vkey>@<http\(s\) URL prefix>/],
    [`${heerlen}@ftp://witness.example`, /is not <vkey>@<http\(s\) URL prefix>/],
    [`${logKey}@https://witness.example`, /type 0x04/],
    [`nonsense@https://witness.example`, /verifier key has the form/],
    [`${heerlen}@https://a.example,${heerlen}@https://b.example`, /named twice/],
  ];
  for (const [text, reason] of cases) t.throws(() => parseWitnessList(text), reason, text.slice(0, 40));
});
