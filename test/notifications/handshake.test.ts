import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { handshakeFailed, parseAllowedRate, webhookHandshake, webhookRequestOrigin } from '../../src/notifications/handshake.js';

/**
 * The abuse-protection handshake (CloudEvents HTTP Web Hooks, section 4) against a real
 * receiver on 127.0.0.1 that answers OPTIONS as each test sets it up.
 */
const ORIGIN = 'api.eszl.example';
interface Seen {
  method: string;
  origin: string | undefined;
}
const seen: Seen[] = [];
let answer: (res: http.ServerResponse) => void = (res) => res.end();

const server = http.createServer((req, res) => {
  seen.push({ method: req.method ?? '', origin: req.headers['webhook-request-origin'] as string | undefined });
  answer(res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise((resolve) => server.close(resolve)));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/eszl`;
const options = { allowedHosts: ['127.0.0.1'], timeoutMs: 2_000 };

function answering(status: number, headers: Record<string, string> = {}): void {
  answer = (res) => {
    res.writeHead(status, headers);
    res.end();
  };
}

t.test('a receiver that names the origin agrees, with its rate', async (t) => {
  answering(200, { 'WebHook-Allowed-Origin': ORIGIN, 'WebHook-Allowed-Rate': '120', Allow: 'POST, OPTIONS' });
  seen.length = 0;
  t.same(await webhookHandshake(url, ORIGIN, options), { ok: true, allowedRate: 120 });
  t.same(seen, [{ method: 'OPTIONS', origin: ORIGIN }], 'one OPTIONS with WebHook-Request-Origin');
});

t.test('* agrees to every origin; * or no rate means no limit', async (t) => {
  answering(204, { 'WebHook-Allowed-Origin': '*', 'WebHook-Allowed-Rate': '*' });
  t.same(await webhookHandshake(url, ORIGIN, options), { ok: true, allowedRate: null });
  answering(200, { 'WebHook-Allowed-Origin': '*' });
  t.same(await webhookHandshake(url, ORIGIN, options), { ok: true, allowedRate: null });
});

t.test('anything else is no consent, and the result says what came back', async (t) => {
  answering(200);
  t.same(await webhookHandshake(url, ORIGIN, options), { ok: false, answer: `200 without WebHook-Allowed-Origin (expected ${ORIGIN} or *)` }, 'a 200 alone is no consent');
  answering(405, { Allow: 'POST' });
  t.same(await webhookHandshake(url, ORIGIN, options), { ok: false, answer: '405 without WebHook-Allowed-Origin' });
  answering(403, { 'WebHook-Allowed-Origin': ORIGIN });
  t.same(await webhookHandshake(url, ORIGIN, options), { ok: false, answer: `403 with WebHook-Allowed-Origin: ${ORIGIN}` });
  answering(200, { 'WebHook-Allowed-Origin': 'other.example' });
  t.same(await webhookHandshake(url, ORIGIN, options), {
    ok: false,
    answer: `200 with WebHook-Allowed-Origin: other.example (expected ${ORIGIN} or *)`,
  });
  answering(301, { Location: 'https://elsewhere.example/', 'WebHook-Allowed-Origin': ORIGIN });
  t.match(await webhookHandshake(url, ORIGIN, options), { ok: false, answer: /^301 / }, 'a redirect is not followed');
  answering(200, { 'WebHook-Allowed-Origin': ORIGIN, 'WebHook-Allowed-Rate': 'lots' });
  t.match(await webhookHandshake(url, ORIGIN, options), { ok: false, answer: /WebHook-Allowed-Rate: lots, which is neither/ });
});

t.test('a receiver that does not answer in time, or is not there, fails the handshake', async (t) => {
  answer = () => undefined; // never answers
  t.same(await webhookHandshake(url, ORIGIN, { ...options, timeoutMs: 300 }), { ok: false, answer: 'no answer within 300 ms' });
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  t.same(await webhookHandshake(`http://127.0.0.1:${port}/`, ORIGIN, options), { ok: false, answer: 'ECONNREFUSED' });
});

t.test('a callback URL into the service\'s own network is refused before anything is sent', async (t) => {
  seen.length = 0;
  await t.rejects(webhookHandshake(url, ORIGIN, { ...options, allowedHosts: [] }), { code: 'VALIDATION_FAILED', status: 400 });
  t.same(seen, [], 'no request left the service');
});

t.test('the failure is the 422 WEBHOOK_HANDSHAKE_FAILED naming the answer', async (t) => {
  const error = handshakeFailed(url, ORIGIN, '405 without WebHook-Allowed-Origin');
  t.ok(error instanceof DomainError);
  t.equal(error.status, 422);
  t.equal(error.code, 'WEBHOOK_HANDSHAKE_FAILED');
  t.match(error.message, `was answered 405 without WebHook-Allowed-Origin`);
  t.same(error.errors, [{ path: '/callbackUrl', message: 'the handshake was answered 405 without WebHook-Allowed-Origin' }]);
});

t.test('the origin is the host of PUBLIC_BASE_URL, else the machine\'s name', async (t) => {
  t.equal(webhookRequestOrigin('https://api.eszl.example/decisions'), 'api.eszl.example');
  t.type(webhookRequestOrigin(undefined), 'string');
  t.equal(parseAllowedRate(' 60 '), 60);
  t.equal(parseAllowedRate('0'), undefined, 'zero is not a positive integer');
});
