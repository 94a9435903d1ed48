import { createHmac } from 'node:crypto';
import t from 'tap';
import { retryDelayMs, SIGNATURE_HEADER, signature, signatureHeader, subscriptionSecret, verifySignature } from '../../src/notifications/signing.js';
import { seededRng } from '../helpers/concurrency.js';

/**
 * Webhook signing as a receiver sees it: `ESZL-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "t.body">`, checked against an HMAC computed here with node:crypto directly; the verifier a
 * receiver would run; the back-off schedule; and the per-subscription secrets.
 */
const SECRET = 'whsec_test-secret-0123456789';
const BODY = JSON.stringify({ id: '5b0e3c36-6a59-4a39-9d6e-1f1a8c2f0a11', type: 'vote.cast', data: { vote: { outcome: 'approve' } } });
const NOW = 1_772_366_400; // 2026-03-01T12:00:00Z

function independentHmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${timestamp}.${body}`, 'utf8')).digest('hex');
}

t.test('the signature is HMAC-SHA256 over "timestamp.body", hex, in a t=...,v1=... header', async (t) => {
  t.equal(SIGNATURE_HEADER, 'ESZL-Signature', 'the header is named ESZL-Signature');
  t.equal(signature(SECRET, NOW, BODY), independentHmac(SECRET, NOW, BODY), 'signature() equals an independent HMAC-SHA256');
  t.match(signature(SECRET, NOW, BODY), /^[0-9a-f]{64}$/, '64 lower-case hex characters');
  t.equal(signatureHeader(SECRET, NOW, BODY), `t=${NOW},v1=${independentHmac(SECRET, NOW, BODY)}`, 'the header is t=<unix seconds>,v1=<hex>');
  const unicode = JSON.stringify({ title: 'Bijdrage Zuid-Limburg – €140.000, Kerkrade ü' });
  t.equal(signature(SECRET, NOW, unicode), independentHmac(SECRET, NOW, unicode), 'the body is signed as UTF-8 bytes');
  t.not(signature(SECRET, NOW, BODY), signature(SECRET, NOW + 1, BODY), 'the timestamp is part of what is signed');
  t.not(signature(SECRET, NOW, BODY), signature(SECRET, NOW, `${BODY} `), 'every byte of the body is part of what is signed');
});

t.test('verifySignature accepts a fresh signature and refuses anything else', async (t) => {
  const header = signatureHeader(SECRET, NOW, BODY);
  t.equal(verifySignature(SECRET, header, BODY, NOW), true, 'a fresh signature verifies');
  t.equal(verifySignature(SECRET, header, BODY, NOW + 300), true, 'still at 300 s old (the default tolerance)');
  t.equal(verifySignature(SECRET, header, BODY, NOW - 300), true, 'and 300 s in the future (clock skew)');
  t.equal(verifySignature(SECRET, header, BODY.replace('approve', 'reject'), NOW), false, 'a changed body is refused');
  t.equal(verifySignature(SECRET, header, `${BODY}\n`, NOW), false, 'a body with one byte appended is refused');
  t.equal(verifySignature('whsec_another-secret', header, BODY, NOW), false, 'another secret is refused');
  t.equal(verifySignature(SECRET, header, BODY, NOW + 301), false, 'a timestamp older than 300 s is refused (replay)');
  t.equal(verifySignature(SECRET, header, BODY, NOW + 3_600), false, 'an hour-old one certainly');
  t.equal(verifySignature(SECRET, header, BODY, NOW - 301), false, 'a timestamp more than 300 s ahead is refused');
  t.equal(verifySignature(SECRET, header, BODY, NOW + 30, 10), false, 'a tighter tolerance is honoured');
  const forged = `t=${NOW + 1000},v1=${independentHmac(SECRET, NOW, BODY)}`;
  t.equal(verifySignature(SECRET, forged, BODY, NOW + 1000), false, 'a new timestamp with an old signature is refused');

  const v1 = independentHmac(SECRET, NOW, BODY);
  const malformed: [string, string][] = [
    ['an empty header', ''],
    ['garbage', 'not a signature'],
    ['no timestamp', `v1=${v1}`],
    ['no signature', `t=${NOW}`],
    ['a non-numeric timestamp', `t=soon,v1=${v1}`],
    ['a fractional timestamp', `t=${NOW}.5,v1=${v1}`],
    ['an empty signature', `t=${NOW},v1=`],
    ['a signature that is not hex', `t=${NOW},v1=${'z'.repeat(64)}`],
    ['a truncated signature', `t=${NOW},v1=${v1.slice(0, 63)}`],
    ['a signature one byte short', `t=${NOW},v1=${v1.slice(0, 62)}`],
    ['a signature one byte long', `t=${NOW},v1=${v1}00`],
    ['another scheme only', `t=${NOW},v0=${v1}`],
    ['a SHA-1 length signature', `t=${NOW},v1=${v1.slice(0, 40)}`],
  ];
  for (const [name, value] of malformed) {
    let result: boolean | string;
    try {
      result = verifySignature(SECRET, value, BODY, NOW);
    } catch (error) {
      result = `threw ${(error as Error).message}`;
    }
    t.equal(result, false, `${name} is refused without throwing`);
  }
  t.equal(verifySignature(SECRET, `v1=${v1},t=${NOW}`, BODY, NOW), true, 'the order of the parts does not matter');
});

t.test('retryDelayMs: exponential back-off with full jitter, within [base/2, min(max, base x 2^(n-1))]', async (t) => {
  const rng = seededRng(20260301);
  const cases: [number, number][] = [
    [20, 200],
    [50, 500],
    [5_000, 3_600_000],
    [1, 1_000],
  ];
  let outside = 0;
  let checked = 0;
  for (const [base, max] of cases) {
    for (let attempt = 1; attempt <= 40; attempt++) {
      const ceiling = Math.min(max, base * 2 ** (attempt - 1));
      for (let sample = 0; sample < 200; sample++) {
        const delay = retryDelayMs(attempt, base, max, rng.next);
        checked++;
        if (!(Number.isFinite(delay) && delay >= base / 2 && delay <= ceiling)) {
          outside++;
          if (outside <= 5) t.fail(`attempt ${attempt} (base ${base}, max ${max}) gave ${delay}, outside [${base / 2}, ${ceiling}]`);
        }
      }
    }
  }
  t.equal(outside, 0, `all ${checked} seeded delays lie within their bounds`);

  // With the random source at its top the delay is the ceiling itself (less one): it doubles each attempt, up to the cap.
  const top = () => 0.999_999_999;
  const base = 5_000;
  const max = 3_600_000;
  const delays = Array.from({ length: 12 }, (_, i) => retryDelayMs(i + 1, base, max, top));
  t.same(
    delays,
    [4_999, 9_999, 19_999, 39_999, 79_999, 159_999, 319_999, 639_999, 1_279_999, 2_559_999, 3_599_999, 3_599_999],
    'the ceiling doubles per attempt (5 s, 10 s, 20 s, ...) and stops at the 1 h cap',
  );
  t.equal(retryDelayMs(1, base, max, () => 0), base / 2, 'the floor is base/2 even when the random source gives 0');
  t.equal(retryDelayMs(10_000, base, max, top), max - 1, 'a huge attempt number stays finite and under the cap');
  t.equal(retryDelayMs(10_000, base, max, () => 0), base / 2, 'and above the floor');

  // The mean of the seeded delays grows about twofold per attempt until the cap.
  const means = [1, 2, 3, 4, 5].map((attempt) => {
    const r = seededRng(attempt);
    let sum = 0;
    for (let i = 0; i < 2_000; i++) sum += retryDelayMs(attempt, 1_000, 1_000_000, r.next);
    return sum / 2_000;
  });
  for (let i = 1; i < means.length; i++) {
    const ratio = means[i]! / means[i - 1]!;
    t.ok(ratio > 1.6 && ratio < 2.4, `mean delay of attempt ${i + 1} is about twice that of attempt ${i} (ratio ${ratio.toFixed(2)})`);
  }

  // Over 24 hours with the default settings (base 5 s, cap 1 h) a delivery is tried many times.
  const worst = () => 0.999_999_999;
  let elapsed = 0;
  let attempts = 0;
  while (elapsed < 86_400_000) elapsed += retryDelayMs(++attempts, 5_000, 3_600_000, worst);
  t.ok(attempts >= 24, `even with the longest delays the 24 h window holds ${attempts} attempts`);
});

t.test('subscriptionSecret is derived, stable per subscription and different across subscriptions and keys', async (t) => {
  const keyA = 'k'.repeat(40);
  const keyB = 'K'.repeat(40);
  const id1 = '0b8f1c9e-2a54-4a8e-9f0a-6d7c1e2b3a41';
  const id2 = '0b8f1c9e-2a54-4a8e-9f0a-6d7c1e2b3a42';
  const secret = subscriptionSecret(keyA, id1);
  t.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/, 'whsec_ followed by 256 bits in base64url');
  t.equal(subscriptionSecret(keyA, id1), secret, 'the same key and id give the same secret');
  t.not(subscriptionSecret(keyA, id2), secret, 'another subscription gets another secret');
  t.not(subscriptionSecret(keyB, id1), secret, 'another signing key gives another secret');
  t.notOk(secret.includes(keyA) || secret.includes(id1), 'the secret reveals neither the key nor the id');
  const expected = `whsec_${createHmac('sha256', keyA).update(`webhook-subscription:${id1}`).digest('base64url')}`;
  t.equal(secret, expected, 'it is HMAC-SHA256(signing key, "webhook-subscription:" + id) in base64url');
  const ids = Array.from({ length: 200 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  t.equal(new Set(ids.map((id) => subscriptionSecret(keyA, id))).size, ids.length, '200 subscriptions get 200 distinct secrets');
});
