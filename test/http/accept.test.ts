import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { negotiate } from '../../src/http/accept.js';

const OFFERS = ['application/json', 'application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'] as const;
const DOCX = OFFERS[2];

t.test('picks the offer the Accept header ranks highest, the first offer on a tie or without a header', async (t) => {
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

t.test('nothing acceptable: 406 NOT_ACCEPTABLE naming the offers', async (t) => {
  for (const accept of ['text/html', 'image/*', 'application/pdf;q=0', '*/*;q=0', 'garbage', 'application/json;q=abc']) {
    const error = t.throws(() => negotiate(accept, OFFERS), accept) as DomainError;
    t.equal(error.code, 'NOT_ACCEPTABLE');
    t.match(error.message, /application\/json, application\/pdf/);
  }
});
