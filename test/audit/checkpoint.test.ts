import t from 'tap';
import { checkpointText, parseCheckpointText } from '../../src/audit/checkpoint.js';

const HASH = '9ba70d2d0e966be9ab16f2c6a8f50a8486d2a5742954ea1f2740c700bd549a8a';

t.test('a checkpoint body is the origin, the size and the base64 of the 32 hash bytes, each on a line', async (t) => {
  const text = checkpointText({ origin: 'eszl-decisions/audit', size: 12, hash: HASH });
  t.equal(text, 'eszl-decisions/audit\n12\nm6cNLQ6Wa+mrFvLGqPUKhIbSpXQpVOofJ0DHAL1Umoo=\n');
  t.same(parseCheckpointText(text), { origin: 'eszl-decisions/audit', size: 12, hash: HASH });
});

t.test('extension lines after the third are read past', async (t) => {
  t.same(parseCheckpointText('o\n1\nm6cNLQ6Wa+mrFvLGqPUKhIbSpXQpVOofJ0DHAL1Umoo=\nextension\n'), { origin: 'o', size: 1, hash: HASH });
});

t.test('malformed checkpoint bodies are refused', async (t) => {
  const bad: [string, string][] = [
    ['two lines', 'o\n12\n'],
    ['no final newline', 'o\n12\nm6cNLQ6Wa+mrFvLGqPUKhIbSpXQpVOofJ0DHAL1Umoo='],
    ['a leading zero', 'o\n012\nm6cNLQ6Wa+mrFvLGqPUKhIbSpXQpVOofJ0DHAL1Umoo=\n'],
    ['a negative size', 'o\n-1\nm6cNLQ6Wa+mrFvLGqPUKhIbSpXQpVOofJ0DHAL1Umoo=\n'],
    ['a short hash', 'o\n12\nm6cNLQ6Wa+mrFvLGqPUKhIbSpXQpVOofJ0DHAL1U=\n'],
    ['hex instead of base64', `o\n12\n${HASH}\n`],
    ['no origin', '\n12\nm6cNLQ6Wa+mrFvLGqPUKhIbSpXQpVOofJ0DHAL1Umoo=\n'],
  ];
  for (const [name, text] of bad) t.throws(() => parseCheckpointText(text), Error, name);
  t.throws(() => checkpointText({ origin: 'o', size: 1, hash: 'ABC' }), /hash/);
  t.throws(() => checkpointText({ origin: 'two\nlines', size: 1, hash: HASH }), /origin/);
});
