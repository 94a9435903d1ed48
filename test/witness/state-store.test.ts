import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { StateStore } from '../../src/witness/state-store.js';

const state = (origin: string, size: number) => ({ origin, size, root: Buffer.alloc(32, size), note: `${origin}\n${size}\n...\n`, cosignedAt: '2026-12-01T00:00:00.000Z' });

t.test('keeps the latest cosigned checkpoint per origin across a reopening, with no temporary file left', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'witness-state-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = StateStore.open(dir);
  t.equal(store.get('a/log'), undefined);
  await store.withLock('a/log', () => store.save(state('a/log', 5)));
  await store.withLock('b/log', () => store.save(state('b/log', 7)));
  await store.withLock('a/log', () => store.save(state('a/log', 9)));
  t.same(readdirSync(dir).filter((name) => name.endsWith('.tmp')), []);
  const reopened = StateStore.open(dir);
  t.same(reopened.get('a/log'), state('a/log', 9));
  t.same(reopened.get('b/log'), state('b/log', 7));
  const files = readdirSync(dir).filter((name) => name.startsWith('log-'));
  t.equal(files.length, 2, 'one file per origin');
  t.match(JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')), { size: Number, root: String, note: String });
});

t.test('runs the work on one origin one at a time, in the order asked, also after a failure', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'witness-state-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = StateStore.open(dir);
  const events: string[] = [];
  const slow = (name: string, ms: number, fails = false) => async () => {
    events.push(`${name} start`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    events.push(`${name} end`);
    if (fails) throw new Error(name);
  };
  const results = await Promise.allSettled([
    store.withLock('a', slow('first', 30, true)),
    store.withLock('a', slow('second', 1)),
    store.withLock('b', slow('other origin', 1)),
  ]);
  t.same(results.map((r) => r.status), ['rejected', 'fulfilled', 'fulfilled']);
  t.same(events.filter((e) => !e.startsWith('other')), ['first start', 'first end', 'second start', 'second end']);
  t.ok(events.indexOf('other origin end') < events.indexOf('first end'), 'another origin does not wait');
});

t.test('refuses a directory holding a file that is not its own', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'witness-state-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, `log-${'0'.repeat(32)}.json`), JSON.stringify({ origin: 'x', size: 1, root: '', note: '', cosignedAt: '' }));
  t.throws(() => StateStore.open(dir), /not a witness state file/);
});
