import t from 'tap';
import type { Db } from '../../src/db/client.js';
import { preparedOnce } from '../../src/db/prepared.js';

/** A prepared statement is built once per database handle and name, then reused. */
t.test('built once per handle and name, then the same statement is returned', async (t) => {
  // Only the handle's identity matters to the cache: two distinct objects stand for two databases.
  const [one, other] = [{}, {}] as unknown as [Db, Db];
  const built: string[] = [];
  const build = (name: string) => {
    built.push(name);
    return { name, serial: built.length };
  };
  const first = preparedOnce(one, 'decision-by-id', build);
  t.equal(preparedOnce(one, 'decision-by-id', build), first, 'the same statement again');
  t.same(built, ['decision-by-id']);
  t.not(preparedOnce(one, 'decision-list', build), first, 'another name, another statement');
  t.not(preparedOnce(other, 'decision-by-id', build), first, 'another handle, another statement');
  t.same(built, ['decision-by-id', 'decision-list', 'decision-by-id']);
  t.same(preparedOnce(other, 'decision-by-id', build), { name: 'decision-by-id', serial: 3 });
});
