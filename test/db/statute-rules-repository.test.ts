import { randomUUID } from 'node:crypto';
import t from 'tap';
import {
  findStatuteRule,
  insertStatuteRule,
  listStatuteRules,
  listStatuteRulesPage,
  listStatuteRulesPrepared,
  lockLatestStatuteRule,
} from '../../src/db/statute-rules-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { lockedElsewhere, POSTGRES_ONLY, repositoryDatabase } from '../helpers/register-rows.js';

/** The statute rules: read whole in version order, the latest locked for the next version, a page after a version. */
const database = await repositoryDatabase(t);
const db = database.db;
const rule = (version: number, effectiveFrom: string, thresholdCents: number) =>
  insertStatuteRule(db, { version, effectiveFrom, thresholdCents, splittingScope: 'applicant_year', splittingAction: 'flag', reference: `Statuten v${version}` });
// Version 1 comes with the migrations (in force since 2000-01-01); two more, inserted out of order.
const v3 = await rule(3, '2027-01-01', 20_000_000);
const v2 = await rule(2, '2026-03-01', 15_000_000);

t.test('every rule, oldest version first, also through the prepared statement', async (t) => {
  const all = await listStatuteRules(db);
  t.same(all.map((r) => [r.version, r.effectiveFrom, r.thresholdCents]), [[1, '2000-01-01', 10_000_000], [2, '2026-03-01', 15_000_000], [3, '2027-01-01', 20_000_000]]);
  t.same(await listStatuteRulesPrepared(db), all);
  t.same(await findStatuteRule(db, v2.id), v2);
  t.equal(await findStatuteRule(db, randomUUID()), undefined);
});

t.test('the latest version is the one locked', async (t) => {
  t.same(await inTransaction(database, (tx) => lockLatestStatuteRule(tx)), v3);
});

t.test('the latest rule stays locked until the transaction ends', { skip: POSTGRES_ONLY }, async (t) => {
  await inTransaction(database, async (tx) => {
    await lockLatestStatuteRule(tx);
    t.equal(await lockedElsewhere(database, 'statute_rules', v3.id), true);
    t.equal(await lockedElsewhere(database, 'statute_rules', v2.id), false, 'not the older ones');
  });
});

t.test('a page in version order after a version', async (t) => {
  const versions = async (...args: Parameters<typeof listStatuteRulesPage> extends [unknown, ...infer R] ? R : never) =>
    (await listStatuteRulesPage(db, ...args)).map((r) => r.version);
  t.same(await versions(undefined, 10), [1, 2, 3]);
  t.same(await versions(undefined, 1), [1, 2], 'one more than the page');
  t.same(await versions(1, 10), [2, 3]);
});
