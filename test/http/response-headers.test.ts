import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import { isDocsRequest, responseHeaders, type ProxyTrust, type ResponseHeaderOptions } from '../../src/http/response-headers.js';
import { API_VERSION } from '../../src/http/schemas.js';

/**
 * The headers every response carries, from their one definition, in a small app that sends them
 * as the conventions plugin does (the security headers on request, the contract's on send). Which
 * policy a response gets depends on the path (the API, or the Swagger UI under /docs) and on
 * whether the request came over HTTPS (TLS, or X-Forwarded-Proto from a trusted proxy).
 */
const API_CSP = "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'";
const DOCS_CSP =
  "default-src 'self';base-uri 'self';form-action 'self';frame-ancestors 'none';object-src 'none';script-src 'self';script-src-attr 'none';" +
  "style-src 'self';img-src 'self' data:;font-src 'self' data:;connect-src 'self'";
const PEER = '192.0.2.10';

async function appWith(t: Test, options: ResponseHeaderOptions): Promise<FastifyInstance> {
  const headers = responseHeaders(options);
  let requests = 0;
  const app = Fastify({ genReqId: () => `request-${++requests}` });
  t.teardown(() => app.close());
  // Set before the security headers are: helmet's policy removes it.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.raw.setHeader('X-Powered-By', 'a framework');
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    headers.security(request, reply);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    headers.contract(request, reply);
    done(null, payload);
  });
  app.get('/api/v1/things', async () => ({ items: [] }));
  app.get('/api/v1/public', async (_request, reply) => reply.header('Cache-Control', 'public, max-age=300').send({ open: true }));
  app.get('/api/v1/public-gone', async (_request, reply) => reply.header('Cache-Control', 'public, max-age=300').code(404).send({ gone: true }));
  app.get('/api/v1/failing', async () => {
    throw new Error('boom');
  });
  app.get('/docs', async () => 'the Swagger UI');
  app.get('/docs/*', async () => 'an asset of the Swagger UI');
  app.get('/docsearch', async () => 'not the Swagger UI');
  await app.ready();
  return app;
}

const trustAll: ProxyTrust = () => true;
const get = (app: FastifyInstance, url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers, remoteAddress: PEER });

/** The security headers of one policy: the API's or the Swagger UI's, over HTTP or HTTPS. */
function assertPolicy(t: Test, res: LightMyRequestResponse, csp: string, https: boolean, name: string): void {
  t.equal(res.headers['content-security-policy'], https ? `${csp};upgrade-insecure-requests` : csp, `${name}: Content-Security-Policy`);
  t.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', `${name}: Strict-Transport-Security, also over HTTP`);
  t.equal(res.headers['cross-origin-opener-policy'], https ? 'same-origin' : undefined, `${name}: Cross-Origin-Opener-Policy only over HTTPS`);
  t.equal(res.headers['origin-agent-cluster'], https ? '?1' : undefined, `${name}: Origin-Agent-Cluster only over HTTPS`);
  t.equal(res.headers['x-frame-options'], 'DENY', `${name}: X-Frame-Options`);
  t.equal(res.headers['referrer-policy'], 'no-referrer', `${name}: Referrer-Policy`);
  t.equal(res.headers['cross-origin-resource-policy'], 'same-site', `${name}: Cross-Origin-Resource-Policy`);
  t.equal(res.headers['x-content-type-options'], 'nosniff', `${name}: X-Content-Type-Options`);
  t.equal(res.headers['x-powered-by'], undefined, `${name}: X-Powered-By removed`);
}

t.test('isDocsRequest: /docs and what lies under /docs/, with or without a query, and nothing else', async (t) => {
  const docs = (url: string) => isDocsRequest({ url } as FastifyRequest);
  for (const url of ['/docs', '/docs/', '/docs/static/index.html', '/docs?x=1', '/docs/json?y=2']) t.equal(docs(url), true, url);
  for (const url of ['/docsearch', '/doc', '/api/v1/docs', '/api/v1/openapi.json', '/', '/x?next=/docs']) t.equal(docs(url), false, url);
});

t.test('over plain HTTP the API gets the strict policy and the Swagger UI its own', async (t) => {
  const app = await appWith(t, { trust: trustAll });
  assertPolicy(t, await get(app, '/api/v1/things'), API_CSP, false, 'an API response');
  assertPolicy(t, await get(app, '/api/v1/nothing-here'), API_CSP, false, 'a 404');
  assertPolicy(t, await get(app, '/docsearch'), API_CSP, false, 'a path that only starts like /docs');
  for (const url of ['/docs', '/docs/static/index.html', '/docs?tab=1']) assertPolicy(t, await get(app, url), DOCS_CSP, false, url);
});

t.test('the Swagger UI may also call the origins it is given, and only those', async (t) => {
  const app = await appWith(t, { trust: trustAll, docsConnectSources: ['https://api.eszl.example', 'https://mirror.eszl.example'] });
  const docs = await get(app, '/docs/');
  t.match(String(docs.headers['content-security-policy']), /;connect-src 'self' https:\/\/api\.eszl\.example https:\/\/mirror\.eszl\.example$/);
  t.equal((await get(app, '/api/v1/things')).headers['content-security-policy'], API_CSP, 'the API policy is unchanged');
});

t.test('X-Forwarded-Proto from a trusted peer decides HTTPS, reading the last hop', async (t) => {
  const asked: [string, number][] = [];
  const app = await appWith(t, {
    trust: (address, hop) => {
      asked.push([address, hop]);
      return true;
    },
  });
  const cases: [string, boolean][] = [
    ['https', true],
    ['HTTPS', true],
    ['http, https', true],
    ['http,https ', true],
    ['https, http', false],
    ['http', false],
    ['ws', false],
  ];
  for (const [proto, https] of cases) {
    assertPolicy(t, await get(app, '/api/v1/things', { 'x-forwarded-proto': proto }), API_CSP, https, `X-Forwarded-Proto: ${proto}`);
  }
  assertPolicy(t, await get(app, '/docs/', { 'x-forwarded-proto': 'https' }), DOCS_CSP, true, 'the Swagger UI over HTTPS');
  t.same(asked[0], [PEER, 0], 'the trust is asked about the connecting peer, hop 0');

  asked.length = 0;
  assertPolicy(t, await get(app, '/api/v1/things'), API_CSP, false, 'no X-Forwarded-Proto');
  t.same(asked, [], 'without the header the trust is not asked');
});

t.test('X-Forwarded-Proto from a peer that is not trusted changes nothing', async (t) => {
  const app = await appWith(t, { trust: (address) => address === '203.0.113.1' });
  assertPolicy(t, await get(app, '/api/v1/things', { 'x-forwarded-proto': 'https' }), API_CSP, false, 'an untrusted peer');
  const trusted = await app.inject({ method: 'GET', url: '/api/v1/things', headers: { 'x-forwarded-proto': 'https' }, remoteAddress: '203.0.113.1' });
  assertPolicy(t, trusted, API_CSP, true, 'the trusted peer');
});

/** Calls `security` with a bare request and reply, as on a TLS connection of its own; the headers it set. */
function securityHeadersOf(options: ResponseHeaderOptions, url: string, socket: { remoteAddress?: string; encrypted?: boolean } | undefined, headers = {}) {
  const set = new Map<string, string>();
  const reply = {
    header: (name: string, value: string) => set.set(name.toLowerCase(), value),
    removeHeader: (name: string) => set.delete(name.toLowerCase()),
  } as unknown as FastifyReply;
  responseHeaders(options).security({ url, raw: { headers, socket } } as unknown as FastifyRequest, reply);
  return set;
}

t.test('a TLS connection counts as HTTPS on its own, unless a trusted proxy says otherwise', async (t) => {
  const tls = { remoteAddress: PEER, encrypted: true };
  const upgrades = (headers: Map<string, string>) => headers.get('content-security-policy')?.endsWith(';upgrade-insecure-requests');
  t.equal(upgrades(securityHeadersOf({ trust: trustAll }, '/api/v1/things', tls)), true, 'TLS: HTTPS');
  t.equal(securityHeadersOf({ trust: trustAll }, '/api/v1/things', tls).get('cross-origin-opener-policy'), 'same-origin');
  t.equal(upgrades(securityHeadersOf({ trust: () => false }, '/api/v1/things', tls, { 'x-forwarded-proto': 'http' })), true, 'an untrusted header does not downgrade TLS');
  t.equal(upgrades(securityHeadersOf({ trust: trustAll }, '/api/v1/things', tls, { 'x-forwarded-proto': 'http' })), false, 'a trusted proxy speaking HTTP does');
  t.equal(upgrades(securityHeadersOf({ trust: trustAll }, '/api/v1/things', { remoteAddress: PEER, encrypted: false })), false, 'no TLS: HTTP');
  t.equal(upgrades(securityHeadersOf({ trust: trustAll }, '/api/v1/things', undefined, { 'x-forwarded-proto': 'https' })), false, 'no socket: no peer to trust');
});

t.test('API-Version and X-Request-Id go out on every response, with no-store unless public data sets its own caching', async (t) => {
  const app = await appWith(t, { trust: trustAll });
  const cases: [string, number, string | undefined][] = [
    ['/api/v1/things', 200, 'no-store'],
    ['/api/v1/public', 200, 'public, max-age=300'],
    ['/api/v1/public-gone', 404, 'no-store'],
    ['/api/v1/failing', 500, 'no-store'],
    ['/api/v1/nothing-here', 404, 'no-store'],
    ['/docs', 200, undefined],
    ['/docs/static/index.css', 200, undefined],
    ['/docsearch', 200, 'no-store'],
  ];
  const ids = new Set<string>();
  for (const [url, status, cacheControl] of cases) {
    const res = await get(app, url);
    t.equal(res.statusCode, status, `${url}: ${status}`);
    t.equal(res.headers['api-version'], API_VERSION, `${url}: API-Version`);
    t.match(String(res.headers['x-request-id']), /^request-\d+$/, `${url}: X-Request-Id is the request id`);
    ids.add(String(res.headers['x-request-id']));
    t.equal(res.headers['cache-control'], cacheControl, `${url}: Cache-Control ${String(cacheControl)}`);
  }
  t.equal(ids.size, cases.length, 'each response names its own request');
  t.equal(API_VERSION, '1.0.0');
});
