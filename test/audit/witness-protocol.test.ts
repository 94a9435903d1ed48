import t from 'tap';
import {
  formatAddCheckpoint,
  formatSizeBody,
  parseAddCheckpoint,
  parseCosignatureLines,
  parseSizeBody,
} from '../../src/audit/witness-protocol.js';

/** The example request and response of C2SP tlog-witness, and the ways a body can be malformed. */
const SPEC_PROOF = [
  'PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=',
  'jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=',
  '5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=',
  '/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=',
];
const SPEC_TEXT = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_CHECKPOINT =
  `${SPEC_TEXT}\n` +
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '— example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n';
const SPEC_BODY = `old 20852014\n${SPEC_PROOF.join('\n')}\n\n${SPEC_CHECKPOINT}`;
const SPEC_RESPONSE =
  '— witness.example/w1 CMp+6LWBU0anHGH5aNDTJkH/gj79sG+T6+iP2ThYN5krrDJbR1HDnucjL39QsZTSvVjyQLrdk3DXDqI5G2HgLatVs0pWh6Up69HVOw==\n' +
  '— witness.example/w1 I7rEps0pvK2UqkS2gSpVUDhrhVtQV9lgF6pRrWAvjJHjyWpW7VcE3SiOlVlbQNt64vWhO+DlkL0+UfzuOBMh9ChdMkP1vi/lCAsmlw==\n' +
  '— witness.example/w2 AWui8Sk55XjYLOijihBjhqEH6nS1ndDymE0a+6idX7pLcnoB+dhnz0854aLZgrrKbYKA7nC3HNJhm/kWl7oJlqU3rXXvpysAdyP3wQ==\n';

t.test('reads the spec\'s example request and writes it back byte for byte', async (t) => {
  const parsed = parseAddCheckpoint(SPEC_BODY);
  if (!parsed.ok) throw new Error(parsed.reason);
  t.equal(parsed.request.oldSize, 20852014);
  t.same(parsed.request.proof.map((hash) => hash.toString('base64')), SPEC_PROOF);
  t.equal(parsed.request.checkpoint, SPEC_CHECKPOINT);
  t.equal(formatAddCheckpoint(parsed.request), SPEC_BODY);
  t.equal(formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: SPEC_CHECKPOINT }), `old 0\n\n${SPEC_CHECKPOINT}`);
});

t.test('refuses every malformed request body with a reason', async (t) => {
  const bodies: [string, string][] = [
    ['no empty line', `old 1\n${SPEC_CHECKPOINT.replace('\n\n', '\n')}`],
    ['no old line', `\n${SPEC_CHECKPOINT}`],
    ['a leading zero', `old 01\n\n${SPEC_CHECKPOINT}`],
    ['a negative size', `old -1\n\n${SPEC_CHECKPOINT}`],
    ['two spaces', `old  1\n\n${SPEC_CHECKPOINT}`],
    ['a proof line of 31 bytes', `old 1\n${Buffer.alloc(31).toString('base64')}\n\n${SPEC_CHECKPOINT}`],
    ['a proof line not base64', `old 1\n${'!'.repeat(43)}=\n\n${SPEC_CHECKPOINT}`],
    ['64 proof lines', `old 1\n${`${SPEC_PROOF[0]}\n`.repeat(64)}\n${SPEC_CHECKPOINT}`],
    ['no checkpoint', 'old 1\n\n'],
    ['a size beyond 2^53', `old 99999999999999999\n\n${SPEC_CHECKPOINT}`],
  ];
  for (const [name, body] of bodies) t.equal(parseAddCheckpoint(body).ok, false, name);
  t.equal(parseAddCheckpoint(`old 1\n${`${SPEC_PROOF[0]}\n`.repeat(63)}\n${SPEC_CHECKPOINT}`).ok, true, '63 proof lines are allowed');
});

t.test('the size body of a 409 is the decimal size and a newline', async (t) => {
  t.equal(formatSizeBody(20852014), '20852014\n');
  t.equal(parseSizeBody('20852014\n'), 20852014);
  t.equal(parseSizeBody('0\n'), 0);
  for (const garbage of ['', '\n', 'abc\n', '01\n', '-1\n', '1 \n', '<html>409</html>', '1\n2\n']) t.equal(parseSizeBody(garbage), undefined, JSON.stringify(garbage));
});

t.test('reads the spec\'s example response as three signature lines, and nothing else as any', async (t) => {
  const lines = parseCosignatureLines(SPEC_TEXT, SPEC_RESPONSE);
  t.same(lines?.map((line) => line.name), ['witness.example/w1', 'witness.example/w1', 'witness.example/w2']);
  t.equal(lines?.[2]?.line, SPEC_RESPONSE.split('\n')[2] + '\n');
  for (const garbage of ['', 'ok', '— witness.example/w1 CMp+\n\n— x y\n', '<html></html>\n', SPEC_RESPONSE.trimEnd(), `\n${SPEC_RESPONSE}`]) {
    t.equal(parseCosignatureLines(SPEC_TEXT, garbage), undefined, JSON.stringify(garbage.slice(0, 20)));
  }
});
