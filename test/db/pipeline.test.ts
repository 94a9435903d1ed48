import t from 'tap';
import { answersInOrder } from '../../src/db/pipeline.js';

t.test('answers in order: the first to fail in sending order wins, even when a later one failed sooner', async (t) => {
  t.same(await answersInOrder(Promise.resolve(1), new Promise((resolve) => setTimeout(() => resolve('two'), 5)), Promise.resolve(null)), [1, 'two', null]);
  const first = new Promise((_, reject) => setTimeout(() => reject(new Error('first')), 20));
  const second = Promise.reject(new Error('second, sooner'));
  // An unhandled rejection of `second` would fail this test file.
  await t.rejects(answersInOrder(first, second), { message: 'first' });
});
