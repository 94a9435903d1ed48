import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { loadAggregates } from '../../src/db/decisions-repository.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { StatuteRule } from '../../src/domain/records.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import {
  createStatuteRule,
  getStatuteRule,
  listStatuteRulesPageOf,
  rulesForReads,
  rulesForViews,
  statuteRules,
  type StatuteRuleInput,
} from '../../src/use-cases/statute-rules.js';
import type { Caller } from '../../src/use-cases/unit-of-work.js';
import { startTestApp } from '../helpers/app.js';
import { decisionStates } from '../helpers/decision-states.js';
import { createCentreMunicipalities, createProgramme } from '../helpers/factories.js';
import { auditMark, refusedWithoutWriting, writtenSince } from '../helpers/written.js';

/**
 * The statute-rule use cases called directly: a new rule gets the next version and the defaults
 * of what it leaves out, never takes effect before today or on or before the latest rule, and is
 * audited (not published); the views of decisions read the rules only when one of them was never
 * adopted; the list pages by version, or answers the one rule in force on a day. Today is
 * 2026-03-01; the rules added here take effect later, so the decisions of the other tests keep
 * version 1.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const caller: Caller = { principal: { keyId: null, role: 'admin', organisationId: null } };
const centre = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const { inState } = decisionStates(admin, programme.id, [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id]);
const refused = (t: Test, change: () => Promise<unknown>, code: string, paths?: string[]) => refusedWithoutWriting(t, db.database, change, code, paths);

const RULE: StatuteRuleInput = {
  effectiveFrom: '2026-06-01',
  thresholdCents: 5_000_000,
  splitting: { scope: 'programme_year', action: 'require_ratification' },
  reference: 'Statuten ESZL, art. 9 (wijziging 2026)',
};
const created: StatuteRule[] = [];

t.test('createStatuteRule adds the next version with the defaults of what it leaves out, and audits it without publishing it', async (t) => {
  const [v1] = await statuteRules(db.database.db);
  t.match(v1, { version: 1, effectiveFrom: '2000-01-01' }, 'version 1 comes from the migration');
  const mark = await auditMark(db.database);
  const v2 = await createStatuteRule(ctx, caller, RULE);
  t.match(v2, { version: 2, effectiveFrom: '2026-06-01', thresholdCents: 5_000_000, splitting: RULE.splitting, ratificationPeriodDays: null, fundCheck: 'flag', note: null });
  const written = await writtenSince(db.database, mark);
  t.same(written.events.map((e) => [e.action, e.resourceType, e.resourceId, e.actorRole]), [['statute_rule.created', 'statute-rule', v2.id, 'admin']]);
  t.same(written.events[0]!.data, { statuteRule: v2 });
  t.same(written.outbox, [], 'an audited-only event');
  const v3 = await createStatuteRule(ctx, caller, { ...RULE, effectiveFrom: '2026-09-01', ratificationPeriodDays: 30, fundCheck: 'block', note: 'Fund checked at adoption' });
  t.match(v3, { version: 3, ratificationPeriodDays: 30, fundCheck: 'block', note: 'Fund checked at adoption' }, 'what is sent is kept');
  t.same(await statuteRules(db.database.db), [v1, v2, v3], 'oldest first');
  created.push(v2, v3);
});

t.test('createStatuteRule refuses a rule before today, and one on or before the latest rule', async (t) => {
  await refused(t, () => createStatuteRule(ctx, caller, { ...RULE, effectiveFrom: '2026-02-28' }), 'VALIDATION_FAILED', ['/effectiveFrom']);
  await refused(t, () => createStatuteRule(ctx, caller, { ...RULE, effectiveFrom: '2026-03-01' }), 'STATUTE_RULE_NOT_LATEST', ['/effectiveFrom']);
  await refused(t, () => createStatuteRule(ctx, caller, { ...RULE, effectiveFrom: '2026-09-01' }), 'STATUTE_RULE_NOT_LATEST', ['/effectiveFrom']);
  t.same((await statuteRules(db.database.db)).map((r) => r.version), [1, 2, 3], 'no version was taken');
});

t.test('the views of decisions read the rules only when one of the decisions was never adopted', async (t) => {
  const adopted = await inState('adopted');
  const draft = await inState('draft');
  const all = await statuteRules(db.database.db);
  const [adoptedAggregate, draftAggregate] = await loadAggregates(db.database.db, [adopted.id, draft.id]);
  t.same(await rulesForViews(db.database.db, [adoptedAggregate!]), [], 'an adopted decision froze its rule');
  t.same(await rulesForViews(db.database.db, []), [], 'no decision, no rules');
  t.same(await rulesForViews(db.database.db, [draftAggregate!]), all, 'a draft shows the rule adoption would apply');
  t.same(await rulesForViews(db.database.db, [adoptedAggregate!, draftAggregate!]), all);
  t.same(await rulesForReads(db.database.db, [adoptedAggregate!]), [], 'the read path the same');
  t.same(await rulesForReads(db.database.db, [adoptedAggregate!, draftAggregate!]), all);
});

t.test('getStatuteRule: a rule by id, 404 for an unknown one', async (t) => {
  t.same(await getStatuteRule(ctx, created[0]!.id), created[0]);
  await t.rejects(getStatuteRule(ctx, randomUUID()), { code: 'RESOURCE_NOT_FOUND' });
});

t.test('listStatuteRulesPageOf pages by version; with effectiveOn it answers the rule in force that day, if it lies after the cursor', async (t) => {
  const first = await listStatuteRulesPageOf(ctx, {}, undefined, 2);
  t.same(first.items.map((r) => r.version), [1, 2]);
  t.type(first.nextCursor, 'string');
  const second = await listStatuteRulesPageOf(ctx, {}, first.nextCursor!, 2);
  t.same(second, { items: [created[1]], nextCursor: null });
  t.same((await listStatuteRulesPageOf(ctx, {}, undefined, 3)).nextCursor, null, 'a page that ends with the last rule has no cursor');

  for (const [day, version] of [['2026-05-31', 1], ['2026-06-01', 2], ['2026-08-31', 2], ['2026-09-01', 3]] as const) {
    const page = await listStatuteRulesPageOf(ctx, { effectiveOn: day }, undefined, 10);
    t.same([page.items.map((r) => r.version), page.nextCursor], [[version], null], `in force on ${day}: version ${version}`);
  }
  t.same(await listStatuteRulesPageOf(ctx, { effectiveOn: '1999-12-31' }, undefined, 10), { items: [], nextCursor: null }, 'none before version 1');
  t.same((await listStatuteRulesPageOf(ctx, { effectiveOn: '2026-08-31' }, first.nextCursor!, 10)).items, [], 'version 2 is not after the cursor');
  t.same((await listStatuteRulesPageOf(ctx, { effectiveOn: '2026-09-01' }, first.nextCursor!, 10)).items.map((r) => r.version), [3], 'version 3 is');
  await t.rejects(listStatuteRulesPageOf(ctx, {}, 'bm90LWEtY3Vyc29y', 2), { code: 'VALIDATION_FAILED' });
});
