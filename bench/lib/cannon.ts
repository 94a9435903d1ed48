import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import os from 'node:os';
import { loadWarning, log } from './util.js';

/** One autocannon measurement, reduced to what the report shows. */
export interface Measurement {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: number;
  durationS: number;
  statusCodes: Record<string, number>;
  /** 1-minute load average when the measured run started: above the core count, others were busy too. */
  loadAverage1m: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** A short run first, not measured: JIT, pools and caches warm up. */
  warmupS: number;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Builds each request (unique bodies, rotating ids). */
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
  /** Called before the measured run (after the warm-up), e.g. to reset a pool of ids. */
  beforeMeasure?: () => void;
  /** Stops the run early (the pool of valid requests is nearly used up). */
  shouldStop?: () => boolean;
  label: string;
}

function reduce(result: AutocannonResult, loadAverage1m: number): Measurement {
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats)) statusCodes[code] = stats.count;
  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  return {
    reqPerSec: result.duration > 0 && result.requests.mean === 0 ? total / result.duration : result.requests.mean,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    requests: total,
    durationS: result.duration,
    statusCodes,
    loadAverage1m,
  };
}

async function once(options: LoadOptions, durationS: number): Promise<AutocannonResult> {
  const request: AutocannonRequest = {
    method: options.method ?? 'GET',
    path: options.path ?? '/',
    ...(options.headers && { headers: options.headers }),
    ...(options.body !== undefined && { body: options.body }),
    ...(options.setupRequest && { setupRequest: options.setupRequest }),
  };
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: durationS,
    timeout: 30,
    requests: [request],
  });
  let timer: NodeJS.Timeout | undefined;
  if (options.shouldStop) {
    const check = options.shouldStop;
    timer = setInterval(() => {
      if (check()) {
        clearInterval(timer);
        instance.stop();
      }
    }, 20);
  }
  try {
    return await instance;
  } finally {
    if (timer) clearInterval(timer);
  }
}

export async function measure(options: LoadOptions): Promise<Measurement> {
  if (options.warmupS > 0) {
    const warm = reduce(await once(options, options.warmupS), 0);
    if (warm.errors > 0 || warm.non2xx > 0) {
      log(`  warm-up of ${options.label}: ${warm.errors} errors, ${warm.non2xx} non-2xx ${JSON.stringify(warm.statusCodes)}`);
    }
  }
  options.beforeMeasure?.();
  const warning = loadWarning();
  if (warning) log(`  warning: ${warning}`);
  const load = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  const result = reduce(await once(options, options.durationS), load);
  log(
    `  ${options.label}: ${result.reqPerSec.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
      `${result.requests} requests, errors ${result.errors}, non-2xx ${result.non2xx} ${JSON.stringify(result.statusCodes)}`,
  );
  return result;
}

/** Two runs of the same request as one: mean rate, mean p50, worst p99, sums of the counts. */
export function combine(a: Measurement, b: Measurement): Measurement {
  const statusCodes: Record<string, number> = { ...a.statusCodes };
  for (const [code, count] of Object.entries(b.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    reqPerSec: (a.reqPerSec + b.reqPerSec) / 2,
    p50Ms: (a.p50Ms + b.p50Ms) / 2,
    p99Ms: Math.max(a.p99Ms, b.p99Ms),
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    non2xx: a.non2xx + b.non2xx,
    requests: a.requests + b.requests,
    durationS: a.durationS + b.durationS,
    statusCodes,
    loadAverage1m: Math.round(((a.loadAverage1m + b.loadAverage1m) / 2) * 100) / 100,
  };
}
