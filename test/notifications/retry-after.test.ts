import t from 'tap';
import { parseRetryAfter } from '../../src/notifications/retry-after.js';

/** Retry-After as RFC 9110 defines it: seconds, or an HTTP-date in any of its three forms. */
const NOW = new Date('2026-03-01T12:00:00Z');

t.test('delay-seconds count from now', async (t) => {
  t.same(parseRetryAfter('120', NOW), new Date('2026-03-01T12:02:00Z'));
  t.same(parseRetryAfter(' 0 ', NOW), NOW);
});

t.test('an HTTP-date is read in each of the three forms, as GMT', async (t) => {
  const expected = new Date('1994-11-06T08:49:37Z');
  t.same(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW), expected, 'IMF-fixdate');
  t.same(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', NOW), expected, 'RFC 850');
  t.same(parseRetryAfter('Sun Nov  6 08:49:37 1994', NOW), expected, 'asctime, as GMT whatever the local zone');
  t.same(parseRetryAfter('Sun, 01 Mar 2026 12:05:00 GMT', NOW), new Date('2026-03-01T12:05:00Z'));
});

t.test('anything else is no Retry-After', async (t) => {
  for (const wrong of [undefined, null, '', '-5', '1.5', 'soon', 'Sun, 31 Feb 2026 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT', '2026-03-01T12:05:00Z', 'Sun, 06 Nov 1994 08:49:37 CET']) {
    t.equal(parseRetryAfter(wrong, NOW), undefined, String(wrong));
  }
});
