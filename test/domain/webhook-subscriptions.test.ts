import t from 'tap';
import { rateSpacingMs } from '../../src/domain/webhook-subscriptions.js';

t.test('requests spaced by rateSpacingMs never make more than the allowed rate in any minute', async (t) => {
  for (const rate of [1, 7, 60, 120, 1000, 60_001]) {
    const spacing = rateSpacingMs(rate);
    // n requests spaced `spacing` apart span (n - 1) x spacing: rate + 1 of them span at least a minute.
    t.ok(rate * spacing >= 60_000, `${rate}/min: ${spacing} ms apart`);
    t.ok((rate - 1) * spacing < 60_000 || spacing === 1, `${rate}/min: not slower than needed`);
  }
  t.throws(() => rateSpacingMs(0));
  t.throws(() => rateSpacingMs(2.5));
});
