import t from 'tap';
import { inRequestTerms } from '../../../../src/http/plugins/errors.js';

/**
 * Use cases name fields as JSON Pointers into their input; the edge names them as the request
 * carried them: pointers into the body, `query.<name>` for a GET's query string.
 */
const errors = [
  { path: '/cursor', message: 'is not a cursor returned by this API' },
  { path: '/votes/0/decisionId', message: 'repeats' },
  { path: '/', message: 'the whole input' },
  { path: 'query.awaitingVoteOf', message: 'named at the edge already' },
];

t.test('a GET or HEAD: pointers become query parameters, the whole input and edge names stay', async (t) => {
  for (const method of ['GET', 'HEAD']) {
    t.same(
      inRequestTerms(errors, { method })?.map((e) => e.path),
      ['query.cursor', 'query.votes.0.decisionId', '/', 'query.awaitingVoteOf'],
      method,
    );
  }
});

t.test('a request with a body: pointers into the body stay pointers', async (t) => {
  for (const method of ['POST', 'PATCH', 'PUT', 'DELETE']) t.same(inRequestTerms(errors, { method }), errors, method);
});

t.test('no field errors: none', async (t) => {
  t.equal(inRequestTerms(undefined, { method: 'GET' }), undefined);
});

t.test('messages and codes are kept', async (t) => {
  const [renamed] = inRequestTerms([{ path: '/types', message: 'must be a list', code: 'VALIDATION_FAILED' }], { method: 'GET' }) ?? [];
  t.same(renamed, { path: 'query.types', message: 'must be a list', code: 'VALIDATION_FAILED' });
});
