import t, { type Test } from 'tap';
import type { Clock } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { DecisionViewCache, type RenderedView } from '../../src/use-cases/decision-view-cache.js';
import { getDecisionRendered, listDecisionsRendered } from '../../src/use-cases/decisions.js';
import { amend, decisionBody, paid, ratify } from '../helpers/after-adoption.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { okJson } from '../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme, fundTheRegister } from '../helpers/factories.js';

/**
 * Each instance keeps rendered decision views, checked against the row versions in the database
 * on every read. Two caching instances and one without the cache share one database here: after
 * every kind of change, made through either instance, both caching instances answer exactly the
 * bytes and ETag the uncached one answers. The clock is shared and moves, so a view that depends
 * on the date (an open condition turning overdue) is never served for yesterday.
 */
let now = new Date('2026-03-01T12:00:00Z').getTime();
const clock: Clock = { now: () => new Date(now) };
const a = await startTestApp(t, { clock });
const b = await startTestApp(t, { clock, database: a.db });
const uncached = await startTestApp(t, { clock, database: a.db, env: { DECISION_CACHE_ENTRIES: '0' } });
const centre = await createCentreMunicipalities(a.admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
await fundTheRegister(a.admin, centre.heerlen.id);
const programme = await createProgramme(a.admin);
const at = (year: number, amountCents: number) => ({ programmeId: programme.id, year, amountCents });

/** Pages of the list: unfiltered, a prepared filter, a filter planned per request, and a second page by its cursor. */
async function pageQueries(): Promise<string[]> {
  const queries = ['?limit=100', '?status=pending_ratification', `?municipalityId=${centre.heerlen.id}&limit=100`, '?limit=2'];
  const first = await uncached.admin.get('/api/v1/decisions?limit=2');
  const cursor = (JSON.parse(first.body) as { nextCursor: string | null }).nextCursor;
  return cursor === null ? queries : [...queries, `?limit=2&cursor=${cursor}`];
}

/** Both caching instances answer the pages of the list the uncached instance answers now, twice (the second from their views). */
async function assertPagesCurrent(t: Test, after: string): Promise<void> {
  for (const query of await pageQueries()) {
    const expected = await uncached.admin.get(`/api/v1/decisions${query}`);
    t.equal(expected.statusCode, 200);
    for (const [name, app] of [['A', a], ['B', b], ['A', a]] as [string, TestApp][]) {
      const res = await app.admin.get(`/api/v1/decisions${query}`);
      t.equal(res.body, expected.body, `instance ${name} answers the current page ${query} after ${after}`);
      t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    }
  }
}

/** Both caching instances answer what the uncached instance answers now, alone and in pages; returns the decision's body. */
async function assertCurrent(t: Test, id: string, after: string): Promise<string> {
  await assertPagesCurrent(t, after);
  const expected = await uncached.admin.get(`/api/v1/decisions/${id}`);
  t.equal(expected.statusCode, 200);
  for (const [name, app] of [['A', a], ['B', b]] as [string, TestApp][]) {
    const res = await app.admin.get(`/api/v1/decisions/${id}`);
    t.equal(res.statusCode, 200);
    t.equal(res.body, expected.body, `instance ${name} answers the current bytes after ${after}`);
    t.equal(res.headers.etag, expected.headers.etag, `instance ${name} answers the current ETag after ${after}`);
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  }
  return expected.body;
}

/** Warms both caches, makes the change, and checks the change shows everywhere. */
async function changeShows(t: Test, id: string, what: string, change: () => Promise<unknown>): Promise<void> {
  const before = await assertCurrent(t, id, `reading twice before ${what}`);
  await assertCurrent(t, id, `reading twice before ${what}`);
  await change();
  const after = await assertCurrent(t, id, what);
  t.not(after, before, `${what} changes the view`);
}

t.test('no instance serves a stale view after any change, whichever instance made it', async (t) => {
  const draft = await createDecision(
    a.admin,
    decisionBody([at(2026, 12_000_000), at(2027, 1_000_000)], { conditions: [{ description: 'Projectplan', dueDate: '2026-03-02' }] }),
  );
  const id = draft.id;
  await changeShows(t, id, 'an edit of the draft (instance B)', async () =>
    okJson(t, await b.admin.patch(`/api/v1/decisions/${id}`, { title: 'Principebesluit, herzien' })),
  );
  await changeShows(t, id, 'a document (instance B)', async () =>
    okJson(t, await b.admin.post(`/api/v1/decisions/${id}/documents`, { documents: [{ title: 'Notulen', url: 'https://eszl.example/notulen.pdf', kind: 'board_decision' }] })),
  );
  await changeShows(t, id, 'adoption (instance A)', () => adopt(a.admin, id, 'pending_ratification'));
  await changeShows(t, id, 'a vote (instance B)', async () =>
    okJson(t, await b.admin.post(`/api/v1/decisions/${id}/votes`, { municipalityId: centre.heerlen.id, outcome: 'approve', decidedOn: '2026-02-20' }), 201),
  );
  await changeShows(t, id, 'the ratifying votes (instance A)', () => ratify(a.admin, id, centreIds.slice(1), '2026-02-21'));
  const ratified = okJson<Decision>(t, await uncached.admin.get(`/api/v1/decisions/${id}`));
  await changeShows(t, id, 'a fulfilled condition (instance B)', async () =>
    okJson(t, await b.admin.post(`/api/v1/decisions/${id}/conditions/${ratified.conditions[0]!.id}/fulfil`, { fulfilledOn: '2026-02-28', evidence: 'Plan ontvangen' })),
  );
  await changeShows(t, id, 'a new condition (instance A)', async () =>
    okJson(t, await a.admin.post(`/api/v1/decisions/${id}/conditions`, { description: 'Eindverslag', dueDate: '2026-03-02' }), 201),
  );
  await changeShows(t, id, 'a disbursement (instance B)', () => paid(b.admin, id, ratified.commitments[0]!.id, 1_000_000));
  await changeShows(t, id, 'the next day, when an open condition is overdue', async () => {
    now += 2 * 86_400_000;
  });
  let amendment: Decision | undefined;
  await changeShows(t, id, 'an amendment that binds and supersedes it (instance A)', async () => {
    amendment = await amend(a.admin, id, [at(2026, 11_000_000), at(2027, 1_000_000)]);
    await adopt(a.admin, amendment.id, 'adopted');
  });
  await assertCurrent(t, amendment!.id, 'the amendment was adopted');
});

t.test('a view read at a past moment (asOf) is never taken from the cache', async (t) => {
  // The trail records real time: the clock runs with it here.
  const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
  now = Date.now();
  const draft = await createDecision(a.admin, decisionBody([at(2026, 1_000_000)]));
  await pause();
  const between = new Date().toISOString();
  await pause();
  now = Date.now();
  await adopt(a.admin, draft.id, 'adopted');
  await assertCurrent(t, draft.id, 'adoption');
  const past = okJson<Decision>(t, await a.admin.get(`/api/v1/decisions/${draft.id}?asOf=${encodeURIComponent(between)}`));
  t.equal(past.status, 'draft', 'the decision as it stood then, not the cached current view');
});

t.test('If-None-Match answers 304 from the cache while the view is current, 200 once it changed', async (t) => {
  const draft = await createDecision(a.admin, decisionBody([at(2026, 1_000_000)]));
  const first = await a.admin.get(`/api/v1/decisions/${draft.id}`);
  const etag = String(first.headers.etag);
  t.equal((await a.admin.get(`/api/v1/decisions/${draft.id}`, { 'if-none-match': etag })).statusCode, 304);
  await adopt(b.admin, draft.id, 'adopted');
  const after = await a.admin.get(`/api/v1/decisions/${draft.id}`, { 'if-none-match': etag });
  t.equal(after.statusCode, 200, 'a change by the other instance: the old tag no longer matches');
  t.not(after.headers.etag, etag);
});

t.test('getDecisionRendered renders once while nothing changes, again after a change or on another day', async (t) => {
  const draft = await createDecision(a.admin, decisionBody([at(2026, 1_000_000)]));
  const ctx = { database: a.db.database, clock, decisionViews: new DecisionViewCache(10) };
  let renders = 0;
  const render = (decision: Decision): RenderedView => {
    renders++;
    return { body: Buffer.from(JSON.stringify(decision)), etag: `"${renders}"` };
  };
  const first = await getDecisionRendered(ctx, draft.id, render);
  t.same(await getDecisionRendered(ctx, draft.id, render), first, 'the cached rendering');
  t.equal(renders, 1, 'rendered once for two reads');
  await adopt(b.admin, draft.id, 'adopted');
  t.equal((JSON.parse((await getDecisionRendered(ctx, draft.id, render)).body.toString()) as Decision).status, 'adopted');
  t.equal(renders, 2, 'rendered again after the change');
  now += 86_400_000;
  await getDecisionRendered(ctx, draft.id, render);
  t.equal(renders, 3, 'rendered again on the next day');
  await t.rejects(getDecisionRendered(ctx, '00000000-0000-4000-8000-000000000000', render), { code: 'RESOURCE_NOT_FOUND' });
  t.equal(ctx.decisionViews.size, 1, 'an unknown decision is not cached');
});

t.test('listDecisionsRendered serialises a page once while nothing changes, and only the page that changed again', async (t) => {
  const draft = await createDecision(a.admin, decisionBody([at(2026, 1_000_000)]));
  const ctx = { database: a.db.database, clock, decisionViews: new DecisionViewCache(1_000) };
  let serialised = 0;
  const serialise = (decision: Decision): string => {
    serialised++;
    return JSON.stringify(decision);
  };
  const all = await listDecisionsRendered(ctx, {}, undefined, 100, serialise);
  const count = all.items.length;
  t.ok(count > 1, 'the page holds several decisions');
  t.equal(serialised, count, 'each decision serialised once');
  t.same(await listDecisionsRendered(ctx, {}, undefined, 100, serialise), all, 'the same page from the views');
  t.equal(serialised, count, 'nothing serialised again');
  const rendered = await getDecisionRendered(ctx, draft.id, () => t.fail('the list cached this view') as never);
  t.same(rendered.body, all.items.find((item) => (JSON.parse(item.toString()) as Decision).id === draft.id), 'GET one reads the view the page cached');
  await adopt(b.admin, draft.id, 'adopted');
  const changed = await listDecisionsRendered(ctx, {}, undefined, 100, serialise);
  t.equal(serialised, 2 * count, 'a change: the page is loaded and serialised again');
  t.equal((JSON.parse(changed.items.find((item) => item.includes(draft.id))!.toString()) as Decision).status, 'adopted');
  const firstTwo = await listDecisionsRendered(ctx, {}, undefined, 2, serialise);
  t.equal(serialised, 2 * count, 'a smaller page from the same views');
  t.same(firstTwo.items, changed.items.slice(0, 2));
  t.type(firstTwo.nextCursor, 'string', 'a cursor to the next page');
  const second = await listDecisionsRendered(ctx, {}, firstTwo.nextCursor ?? undefined, 2, serialise);
  t.same(second.items, changed.items.slice(2, 4), 'the next page by its cursor, from the views');
  now += 86_400_000;
  await listDecisionsRendered(ctx, {}, undefined, 100, serialise);
  t.equal(serialised, 3 * count, 'serialised again on the next day');
  await t.rejects(listDecisionsRendered(ctx, { boardMeetingDateFrom: '2026-02-01', boardMeetingDateTo: '2026-01-01' }, undefined, 10, serialise), {
    code: 'VALIDATION_FAILED',
  });
});

t.test('DecisionViewCache keeps at most maxEntries, forgetting the least recently used', async (t) => {
  const cache = new DecisionViewCache(2);
  const view = (body: string): RenderedView => ({ body: Buffer.from(body), etag: `"${body}"` });
  cache.set('a', 'v1', '2026-03-01', view('a'));
  cache.set('b', 'v1', '2026-03-01', view('b'));
  t.same(cache.get('a', 'v1', '2026-03-01'), view('a'));
  cache.set('c', 'v1', '2026-03-01', view('c'));
  t.equal(cache.size, 2);
  t.equal(cache.get('b', 'v1', '2026-03-01'), undefined, 'b was used least recently');
  t.equal(cache.get('a', 'v2', '2026-03-01'), undefined, 'another version is not served');
  t.equal(cache.get('a', 'v1', '2026-03-02'), undefined, 'another day is not served');
});
