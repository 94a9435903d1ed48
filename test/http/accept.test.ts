import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { negotiate } from '../../src/http/accept.js';

const OFFERS = ['application/json', 'application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'] as const;
const DOCX = OFFERS[2];

t.test('picks the offer the Accept header ranks highest, the first offer without a header', async (t) => {
  const cases: [string | undefined, string][] = [
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['*/*', 'application/json'],
    ['application/pdf', 'application/pdf'],
    ['APPLICATION/PDF', 'application/pdf'],
    [DOCX, DOCX],
    ['application/pdf;q=0.4, application/json;q=0.9', 'application/json'],
    ['application/json;q=0.1, application/*;q=0.5', 'application/pdf'],
    ['application/json;q=0, */*', 'application/pdf'],
    ['text/html, application/pdf;q=0.2', 'application/pdf'],
    ['application/pdf; charset=binary ; q=1', 'application/pdf'],
    ['application/*', 'application/json'],
  ];
  for (const [accept, chosen] of cases) t.equal(negotiate(accept, OFFERS), chosen, String(accept));
});

t.test('of offers of equal weight: the one a more specific range matched, then the range named first, then the first offer', async (t) => {
  const cases: [string, string][] = [
    ['application/pdf, */*', 'application/pdf'],
    ['*/*, application/pdf', 'application/pdf'],
    ['application/*, application/pdf', 'application/pdf'],
    ['application/pdf;q=0.5, */*;q=0.5', 'application/pdf'],
    ['application/pdf, application/json', 'application/pdf'],
    ['application/json, application/pdf', 'application/json'],
    [`${DOCX};q=0.5, application/pdf;q=0.5`, DOCX],
    ['*/*', 'application/json'],
    ['application/*, */*', 'application/json'],
  ];
  for (const [accept, chosen] of cases) t.equal(negotiate(accept, OFFERS), chosen, accept);
});

t.test("a range's parameters other than q are not matched; a quoted comma separates no ranges", async (t) => {
  t.equal(negotiate('application/pdf;level=1', OFFERS), 'application/pdf');
  t.equal(negotiate('application/pdf;q=0.5;profile=x, application/json;q=0.4', OFFERS), 'application/pdf');
  t.equal(negotiate('application/json;q=0.1;note="a,application/pdf,b"', OFFERS), 'application/json');
});

t.test('an offer named by several ranges of one specificity takes the highest weight among them', async (t) => {
  t.equal(negotiate('application/pdf;q=0.2, application/pdf;q=0.8, application/json;q=0.5', OFFERS), 'application/pdf');
  t.equal(negotiate('application/json;q=0, application/json;q=0.5', OFFERS), 'application/json');
});

t.test('only the first 50 ranges count', async (t) => {
  const html = (n: number) => Array.from({ length: n }, () => 'text/html');
  t.equal(negotiate([...html(49), 'application/pdf'].join(', '), OFFERS), 'application/pdf');
  t.throws(() => negotiate([...html(50), 'application/pdf'].join(', '), OFFERS), { code: 'NOT_ACCEPTABLE' });
});

t.test('nothing acceptable: 406 NOT_ACCEPTABLE naming the offers', async (t) => {
  for (const accept of ['text/html', 'image/*', 'application/pdf;q=0', '*/*;q=0', 'garbage', 'application/json;q=abc']) {
    const error = t.throws(() => negotiate(accept, OFFERS), accept) as DomainError;
    t.equal(error.code, 'NOT_ACCEPTABLE');
    t.match(error.message, /application\/json, application\/pdf/);
  }
});
