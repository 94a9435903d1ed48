// Loaded into the service with `node --import` when a bench wants to attribute its memory:
// appends process.memoryUsage() as one JSON line every BENCH_MEMORY_INTERVAL_MS (default 100)
// to the file BENCH_MEMORY_LOG. The service's own code knows nothing of it.
import { appendFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.BENCH_MEMORY_LOG;
if (file) {
  const interval = Number(process.env.BENCH_MEMORY_INTERVAL_MS ?? 100);
  const started = Date.now();
  setInterval(() => {
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]));
    appendFileSync(file, `${JSON.stringify({ t: Date.now() - started, rss, heapTotal, heapUsed, external, arrayBuffers, spaces })}\n`);
  }, interval).unref();
}
