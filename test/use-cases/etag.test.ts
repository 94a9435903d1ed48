import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { assertExpectedVersion, etagOf } from '../../src/use-cases/etag.js';

t.test('etagOf is a strong tag of the canonical JSON: key order does not change it, any value does', async (t) => {
  const tag = etagOf({ a: 1, b: [1, 2] });
  t.match(tag, /^"[A-Za-z0-9_-]{43}"$/, 'a quoted base64url SHA-256');
  t.equal(etagOf({ b: [1, 2], a: 1 }), tag, 'the same representation in another key order');
  t.not(etagOf({ a: 1, b: [2, 1] }), tag);
  t.not(etagOf({ a: 2, b: [1, 2] }), tag);
});

t.test('assertExpectedVersion: no expectation passes, a match passes, a mismatch is PRECONDITION_FAILED', async (t) => {
  const representation = { id: 'x', name: 'Heerlen' };
  const current = etagOf(representation);
  const seen: string[] = [];
  const expecting = (etag: string) => ({
    matches: (candidate: string) => {
      seen.push(candidate);
      return candidate === etag;
    },
  });
  t.doesNotThrow(() => assertExpectedVersion(undefined, representation));
  t.doesNotThrow(() => assertExpectedVersion(expecting(current), representation));
  t.same(seen, [current], 'the expectation is asked about the current version');
  const error = t.throws(() => assertExpectedVersion(expecting('"stale"'), representation)) as unknown;
  t.ok(error instanceof DomainError);
  t.equal((error as DomainError).code, 'PRECONDITION_FAILED');
});
