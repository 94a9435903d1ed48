import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import t, { type Test } from 'tap';
import errorsPlugin from '../../../src/http/plugins/errors.js';
import pressurePlugin, { type PressureOptions } from '../../../src/http/plugins/pressure.js';
import { problemOf } from '../../helpers/assertions.js';
import { recordingLogger } from '../../helpers/recording-logger.js';

/**
 * Load shedding on its own: a small app with the errors plugin, a route that counts the requests
 * it serves, and the two health routes. The process is put under pressure with a heap threshold
 * of one byte (any heap is over it) or a stalled event loop; @fastify/under-pressure samples
 * once a second, so each test waits until a sample has seen the pressure before it asks.
 */
interface PressureApp {
  app: FastifyInstance;
  served: () => number;
  logLines: () => { msg: string; level: number; type?: string; value?: number }[];
}

async function appWith(t: Test, options: PressureOptions): Promise<PressureApp> {
  const { logger, records } = recordingLogger();
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  t.teardown(() => app.close());
  await app.register(errorsPlugin);
  await app.register(pressurePlugin, options);
  let served = 0;
  app.get('/work', async () => ({ served: ++served }));
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async () => ({ status: 'ok' }));
  await app.ready();
  return { app, served: () => served, logLines: () => records<ReturnType<PressureApp['logLines']>[number]>() };
}

/** Waits until the sampler finds the process under pressure (at most `limit` polls). */
async function untilUnderPressure(app: FastifyInstance, limit = 200): Promise<void> {
  for (let poll = 0; !app.isUnderPressure(); poll++) {
    if (poll === limit) throw new Error('the process never came under pressure');
    await sleep(25);
  }
}

/** Waits for one whole sample after this call (the first one, or the one after the next). */
async function afterNextSample(app: FastifyInstance): Promise<void> {
  const before = app.memoryUsage().heapUsed;
  for (let poll = 0; app.memoryUsage().heapUsed === before; poll++) {
    if (poll === 200) throw new Error('no sample was taken');
    await sleep(25);
  }
}

/**
 * A request answered while a sample that saw a stall of 300 ms (in a one-second sample, that
 * lifts the mean delay far above 1 ms) is in force. On a busy machine the sample may miss the
 * stall or end between the check and the request: then stall again and ask again. Returns the
 * 503 and how many requests were answered normally before it (their handler ran).
 */
async function requestWhileStalled(app: FastifyInstance): Promise<{ res: LightMyRequestResponse; answeredBefore: number }> {
  let answeredBefore = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    const stalledUntil = Date.now() + 300;
    while (Date.now() < stalledUntil);
    await sleep(50);
    if (!app.isUnderPressure()) continue;
    const res = await app.inject({ method: 'GET', url: '/work' });
    if (res.statusCode === 503) return { res, answeredBefore };
    answeredBefore++;
  }
  throw new Error('no request met a stalled sample');
}

t.test('under pressure, a request answers 503 SERVICE_UNAVAILABLE problem+json with Retry-After, and its handler never runs', async (t) => {
  const { app, served, logLines } = await appWith(t, { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 1 });
  await untilUnderPressure(app);
  const res = await app.inject({ method: 'GET', url: '/work' });
  const body = problemOf(t, res, 503, 'SERVICE_UNAVAILABLE');
  t.equal(body.detail, 'The service is overloaded; retry shortly.');
  t.equal(res.headers['retry-after'], '5', 'Retry-After: 5');
  t.equal(served(), 0, 'the handler did not run');
  const warning = logLines().find((line) => line.msg === 'under pressure: shedding load');
  t.ok(warning, 'the shedding is logged');
  t.equal(warning?.level, 40, 'as a warning');
  t.equal(warning?.type, 'heapUsedBytes', 'naming the measure that is over its threshold');
  t.ok((warning?.value ?? 0) > 1, 'and its value');
});

t.test('under pressure, /health/live is still answered, and /health/ready is shed like any route', async (t) => {
  const { app } = await appWith(t, { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 1 });
  await untilUnderPressure(app);
  const live = await app.inject({ method: 'GET', url: '/health/live' });
  t.equal(live.statusCode, 200, 'live: a busy process is not one to restart');
  t.same(live.json(), { status: 'ok' });
  problemOf(t, await app.inject({ method: 'GET', url: '/health/ready' }), 503, 'SERVICE_UNAVAILABLE');
});

t.test('a stalled event loop over maxEventLoopDelayMs sheds load too', async (t) => {
  const { app, served, logLines } = await appWith(t, { maxEventLoopDelayMs: 1, maxHeapUsedBytes: 0 });
  const { res, answeredBefore } = await requestWhileStalled(app);
  problemOf(t, res, 503, 'SERVICE_UNAVAILABLE');
  t.equal(res.headers['retry-after'], '5');
  t.equal(served(), answeredBefore, 'the handler did not run for the request that was shed');
  t.equal(logLines().find((line) => line.msg === 'under pressure: shedding load')?.type, 'eventLoopDelay');
});

t.test('below its thresholds the process serves every request', async (t) => {
  const { app, served } = await appWith(t, { maxEventLoopDelayMs: 60_000, maxHeapUsedBytes: Number.MAX_SAFE_INTEGER });
  await afterNextSample(app);
  t.equal(app.isUnderPressure(), false, 'a sample was taken and found no pressure');
  for (let i = 1; i <= 3; i++) t.equal((await app.inject({ method: 'GET', url: '/work' })).statusCode, 200, `request ${i} is served`);
  t.equal(served(), 3);
});

t.test('thresholds of 0 switch load shedding off', async (t) => {
  const { app, served } = await appWith(t, { maxEventLoopDelayMs: 0, maxHeapUsedBytes: 0 });
  await afterNextSample(app);
  t.equal(app.isUnderPressure(), false, 'nothing is checked');
  t.equal((await app.inject({ method: 'GET', url: '/work' })).statusCode, 200);
  t.equal(served(), 1);
});
