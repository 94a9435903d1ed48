import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import errorsPlugin from '../../../src/http/plugins/errors.js';
import rateLimitPlugin from '../../../src/http/plugins/rate-limit.js';
import { problemOf } from '../../helpers/assertions.js';

/**
 * The rate limit on its own: a small app with the errors plugin and one route. Requests count
 * per Authorization header (whatever key it carries, valid or not) and, without one, per IP
 * address; the request over the limit answers 429 problem+json with Retry-After. 0 switches the
 * limit off. The service's own limit is tested through the whole app in test/app/limits.test.ts.
 */
async function appWith(t: Test, perMinute: number): Promise<FastifyInstance> {
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(errorsPlugin);
  await app.register(rateLimitPlugin, { perMinute });
  app.get('/ping', async () => ({ pong: true }));
  await app.ready();
  return app;
}

function ping(app: FastifyInstance, from: { authorization?: string; ip?: string } = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'GET',
    url: '/ping',
    remoteAddress: from.ip ?? '192.0.2.1',
    headers: from.authorization === undefined ? {} : { authorization: from.authorization },
  });
}

/** Sends `count` requests one after another; every one must be served. */
async function spend(t: Test, app: FastifyInstance, count: number, from: { authorization?: string; ip?: string }, who: string) {
  for (let i = 1; i <= count; i++) t.equal((await ping(app, from)).statusCode, 200, `${who}: request ${i} of ${count} is served`);
}

t.test('the request over the limit answers 429 RATE_LIMITED problem+json with Retry-After', async (t) => {
  const app = await appWith(t, 3);
  const key = { authorization: 'Bearer key-one' };
  for (const remaining of ['2', '1', '0']) {
    const res = await ping(app, key);
    t.equal(res.statusCode, 200);
    t.equal(res.headers['x-ratelimit-limit'], '3', 'the limit is announced');
    t.equal(res.headers['x-ratelimit-remaining'], remaining, `${remaining} left`);
  }
  const over = await ping(app, key);
  const body = problemOf(t, over, 429, 'RATE_LIMITED');
  t.match(body.detail, /^Rate limit of 3 requests per minute exceeded; retry in \d+ (seconds?|minute)\.$/);
  t.match(String(over.headers['retry-after']), /^\d+$/, 'Retry-After is a number of seconds');
  t.ok(Number(over.headers['retry-after']) >= 1 && Number(over.headers['retry-after']) <= 60, `within the minute (${String(over.headers['retry-after'])})`);
  t.equal(over.headers['x-ratelimit-remaining'], '0');
  problemOf(t, await ping(app, key), 429, 'RATE_LIMITED');
});

t.test('a request with an Authorization header counts against that header, from any address', async (t) => {
  const app = await appWith(t, 2);
  await spend(t, app, 2, { authorization: 'Bearer key-one', ip: '192.0.2.1' }, 'key one');
  problemOf(t, await ping(app, { authorization: 'Bearer key-one', ip: '198.51.100.7' }), 429, 'RATE_LIMITED');

  // Another header value, from the very address that exhausted the first, has a budget of its own;
  // so do anonymous requests from that address.
  await spend(t, app, 2, { authorization: 'Bearer key-two', ip: '192.0.2.1' }, 'key two');
  await spend(t, app, 2, { ip: '192.0.2.1' }, 'anonymous');
  problemOf(t, await ping(app, { authorization: 'Bearer key-two', ip: '192.0.2.1' }), 429, 'RATE_LIMITED');
});

t.test('the whole header is the counter: any value counts, even one that is no valid key', async (t) => {
  const app = await appWith(t, 1);
  await spend(t, app, 1, { authorization: 'Basic dXNlcjpwYXNz' }, 'a Basic header');
  problemOf(t, await ping(app, { authorization: 'Basic dXNlcjpwYXNz' }), 429, 'RATE_LIMITED');
  await spend(t, app, 1, { authorization: 'Basic dXNlcjpwYXNzMg' }, 'a different Basic header');
  await spend(t, app, 1, { authorization: 'Bearer dXNlcjpwYXNz' }, 'the same token under another scheme');
});

t.test('anonymous requests count per IP address', async (t) => {
  const app = await appWith(t, 2);
  await spend(t, app, 2, { ip: '192.0.2.1' }, 'the first address');
  problemOf(t, await ping(app, { ip: '192.0.2.1' }), 429, 'RATE_LIMITED');
  await spend(t, app, 2, { ip: '192.0.2.2' }, 'another address');
  await spend(t, app, 1, { ip: '192.0.2.1', authorization: 'Bearer key-one' }, 'a key from the first address');
});

t.test('perMinute 0 registers no limiter at all', async (t) => {
  const app = await appWith(t, 0);
  t.equal(app.hasPlugin('rate-limit'), true, 'the plugin is registered');
  t.equal(app.hasPlugin('@fastify/rate-limit'), false, 'but installs no limiter');
  const responses = await Promise.all(Array.from({ length: 30 }, () => ping(app, { authorization: 'Bearer key-one' })));
  t.same([...new Set(responses.map((res) => res.statusCode))], [200], 'all 30 requests are served');
  t.same(Object.keys(responses[0]!.headers).filter((name) => name.startsWith('x-ratelimit-')), [], 'and no rate limit headers are sent');

  const limited = await appWith(t, 30);
  t.equal(limited.hasPlugin('@fastify/rate-limit'), true, 'any other value installs the limiter');
});
