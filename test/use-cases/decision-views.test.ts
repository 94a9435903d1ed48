import t from 'tap';
import { eq } from 'drizzle-orm';
import { decisions } from '../../src/db/schema.js';
import { findAggregate, loadAggregate, lockAndLoadAggregate } from '../../src/db/decisions-repository.js';
import { listAggregates } from '../../src/db/decision-list-repository.js';
import { insertStatuteRule } from '../../src/db/statute-rules-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { toDecision } from '../../src/use-cases/decision-views.js';
import { decision, programme, repositoryDatabase } from '../helpers/register-rows.js';

/**
 * The view of a decision from what the loader read: a draft comes with the statute rules, so its
 * view needs no rules from the caller and shows the one in force on its board meeting date; a
 * decision adopted shows its frozen rule and is loaded without rules.
 */
const database = await repositoryDatabase(t);
const db = database.db;
const TODAY = '2026-01-10';
const wtmr = await programme(db);
const commitments = [{ programmeId: wtmr, year: 2026, amountCents: 12_000_000 }];

t.test('a loaded draft needs no rules: it shows the rule in force on its board meeting date', async (t) => {
  const draft = await decision(db, { commitments, boardMeetingDate: '2026-02-01' });
  const loaded = (await loadAggregate(db, draft.id))!;
  t.same(loaded.draftRules, [{ version: 1, effectiveFrom: '2000-01-01', thresholdCents: 10_000_000 }], 'read with it');
  t.match(toDecision(loaded, TODAY).ratification, { statuteRuleVersion: 1, thresholdCents: 10_000_000, required: true });

  await insertStatuteRule(db, { version: 2, effectiveFrom: '2026-01-15', thresholdCents: 15_000_000, splittingScope: 'applicant_year', splittingAction: 'flag', reference: 'Statuten v2' });
  const readers = {
    loadAggregate: () => loadAggregate(db, draft.id),
    findAggregate: () => findAggregate(db, draft.id),
    lockAndLoadAggregate: () => inTransaction(database, (tx) => lockAndLoadAggregate(tx, draft.id)),
    listAggregates: async () => (await listAggregates(db, {}, undefined, 100, TODAY)).find((a) => a.decision.id === draft.id),
  };
  for (const [name, read] of Object.entries(readers)) {
    const view = toDecision((await read())!, TODAY);
    t.match(view.ratification, { statuteRuleVersion: 2, thresholdCents: 15_000_000, required: false }, `${name}: a later rule in force on the meeting day applies`);
  }
  const hand = { ...loaded, draftRules: undefined };
  t.throws(() => toDecision(hand, TODAY), 'an aggregate built by hand without rules still needs them');
  t.equal(toDecision(hand, TODAY, loaded.draftRules).ratification.statuteRuleVersion, 1, 'rules given by the caller are the ones used');
});

t.test('an adopted decision is loaded without rules and shows its frozen rule', async (t) => {
  const adopted = await decision(db, { status: 'adopted', commitments });
  await db.update(decisions).set({ thresholdCents: 10_000_000 }).where(eq(decisions.id, adopted.id));
  const loaded = (await loadAggregate(db, adopted.id))!;
  t.equal(loaded.draftRules, undefined);
  t.match(toDecision(loaded, TODAY).ratification, { statuteRuleVersion: 1 });
});
