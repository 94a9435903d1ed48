import t from 'tap';
import { LetterCache } from '../../../src/http/decisions/letter-cache.js';

t.test('renders once per ETag, keeps at most its bound, the least recently used going first', async (t) => {
  const cache = new LetterCache(2);
  const render = (text: string) => async () => Buffer.from(text);
  t.equal((await cache.get('"a"', render('A'))).toString(), 'A');
  t.equal((await cache.get('"a"', render('other'))).toString(), 'A', 'the second request is served from the cache');
  t.equal(cache.renders, 1);
  await cache.get('"b"', render('B'));
  await cache.get('"a"', render('A'));
  await cache.get('"c"', render('C'));
  t.equal(cache.size, 2);
  t.equal(cache.renders, 3);
  t.equal((await cache.get('"b"', render('B2'))).toString(), 'B2', '"b" was the least recently used: rendered anew');
  t.equal((await cache.get('"c"', render('C2'))).toString(), 'C', '"c" stayed');
});

t.test('a render that fails caches nothing', async (t) => {
  const cache = new LetterCache();
  await t.rejects(cache.get('"x"', async () => Promise.reject(new Error('font missing'))), /font missing/);
  t.equal(cache.size, 0);
  t.equal((await cache.get('"x"', async () => Buffer.from('X'))).toString(), 'X');
});
