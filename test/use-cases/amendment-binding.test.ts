import t from 'tap';
import { loadAggregate, updateDecision } from '../../src/db/decisions-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { fixedClock } from '../../src/domain/clock.js';
import { amendmentAdoptionFacts, announceAmendment, bindAmendment } from '../../src/use-cases/amendment-binding.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { getDecision } from '../../src/use-cases/decisions.js';
import { runUnitOfWork, SYSTEM_CALLER } from '../../src/use-cases/unit-of-work.js';
import { amend, bindingDecision, paid } from '../helpers/after-adoption.js';
import { startTestApp } from '../helpers/app.js';
import { auditHeadSeq, emittedBy } from '../helpers/audit-events.js';
import { adopt, createCentreMunicipalities, createProgramme } from '../helpers/factories.js';

/**
 * What an amendment does when it is adopted or binds, called directly: the facts adoption needs
 * from the decision it amends, the supersession with the carry-over of what was paid, and the two
 * events that announce it. An amendment that raises the total awaits the colleges after adoption;
 * here it is ratified inside the unit of work that binds it, as the last vote does before it
 * calls `bindAmendment`.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);
const in2026 = (amountCents: number) => ({ programmeId: programme.id, year: 2026, amountCents });

/** A decision that binds with EUR 40,000 in 2026, of which `paidCents` was paid. */
async function paidDecision(paidCents: number): Promise<Decision> {
  const decision = await bindingDecision(admin, centreIds, [in2026(4_000_000)]);
  await paid(admin, decision.id, decision.commitments[0]!.id, paidCents);
  return decision;
}

/** The facts of adopting decision `id`, with the decision it amends loaded as the adoption loads it. */
const facts = (id: string) =>
  inTransaction(db.database, async (tx) => {
    const amendment = (await loadAggregate(tx, id))!;
    const amends = amendment.decision.amends;
    return amendmentAdoptionFacts(amends === null ? undefined : await loadAggregate(tx, amends), amendment);
  });

/** An amendment of `original` raising it to EUR 120,000 in 2026 (EUR 10,000 first), adopted: it awaits the colleges. */
async function pendingIncrease(original: Decision): Promise<Decision> {
  const amendment = await amend(admin, original.id, [in2026(1_000_000), in2026(11_000_000)]);
  return adopt(admin, amendment.id, 'pending_ratification');
}

/** The amendment ratified and bound in one unit of work, announced unless told not to. */
const bindAsRatified = (amendment: Decision, announce = true) =>
  runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
    const binding: Decision = { ...amendment, status: (await updateDecision(uow.tx, amendment.id, { status: 'ratified' })).status };
    const bound = await bindAmendment(ctx, uow, binding);
    if (announce) announceAmendment(uow, bound);
    return bound;
  });

t.test('adoption facts: none for a decision that amends nothing; the amended total for an amendment', async (t) => {
  const original = await paidDecision(1_500_000);
  const amendment = await amend(admin, original.id, [in2026(1_000_000), in2026(3_000_000)]);
  t.same(await facts(original.id), {}, 'no amendment: no facts');
  t.same(await facts(amendment.id), { amendedTotalCents: 4_000_000 });
});

t.test('adoption facts: an amendment committing less than was paid is refused with AMOUNT_BELOW_DISBURSED', async (t) => {
  const original = await paidDecision(3_000_000);
  const lower = await amend(admin, original.id, [in2026(2_000_000)]);
  await t.rejects(facts(lower.id), { code: 'AMOUNT_BELOW_DISBURSED', message: /EUR 30,000\.00 \(3000000 cents\) was paid, the amendment commits EUR 20,000\.00/ });
});

t.test('bindAmendment leaves a decision that amends nothing, or an amendment that does not bind, alone', async (t) => {
  const original = await paidDecision(1_000_000);
  const amendment = await amend(admin, original.id, [in2026(2_000_000)]);
  const { result, events } = await emittedBy(ctx.database, () =>
    runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
      const answers = [
        await bindAmendment(ctx, uow, original),
        await bindAmendment(ctx, uow, amendment),
        await bindAmendment(ctx, uow, { ...amendment, status: 'pending_ratification' }),
        await bindAmendment(ctx, uow, { ...amendment, status: 'withdrawn' }),
      ];
      for (const bound of answers) announceAmendment(uow, bound);
      return answers;
    }),
  );
  t.same(result, [undefined, undefined, undefined, undefined]);
  t.same(events, [], 'nothing bound, nothing announced');
  t.equal((await getDecision(ctx, original.id)).status, 'adopted', 'the amended decision still binds');
});

t.test('a binding amendment supersedes the amended decision, carries what was paid over, and is announced', async (t) => {
  const original = await paidDecision(1_500_000);
  const amendment = await pendingIncrease(original);
  t.equal((await getDecision(ctx, original.id)).status, 'adopted', 'while the amendment awaits the colleges the amended decision binds');
  const { result: bound, events, published } = await emittedBy(ctx.database, () => bindAsRatified(amendment));

  t.equal(bound?.superseded.id, original.id);
  t.equal(bound?.superseded.status, 'superseded');
  t.equal(bound?.amendment.status, 'ratified', 'the amendment as it stands after the change');
  t.same(
    bound?.amendment.commitments.map((c) => c.disbursedCents),
    [1_000_000, 500_000],
    'what was paid fills the commitments of the same programme and year in their order',
  );
  t.same(
    (await getDecision(ctx, amendment.id)).commitments.map((c) => c.disbursedCents),
    [1_000_000, 500_000],
    'and is stored so',
  );
  t.equal((await getDecision(ctx, original.id)).status, 'superseded', 'the supersession is stored');
  t.match(events, [
    { action: 'decision.amended', resourceId: amendment.id, data: { decision: { id: amendment.id, status: 'ratified' } } },
    { action: 'decision.superseded', resourceId: original.id, data: { decision: { id: original.id, status: 'superseded' }, supersededBy: amendment.id } },
  ]);
  t.equal(events.length, 2);
  t.same(published, ['decision.amended', 'decision.superseded'], 'both go to subscribers');

  await t.rejects(facts(amendment.id), { code: 'DECISION_TRANSITION_NOT_ALLOWED' }, 'a superseded decision cannot be amended into again');
});

t.test('bindAmendment itself emits nothing: announcing is the caller\'s step', async (t) => {
  const amendment = await pendingIncrease(await paidDecision(500_000));
  const { result: bound, events } = await emittedBy(ctx.database, () => bindAsRatified(amendment, false));
  t.equal(bound?.superseded.status, 'superseded');
  t.same(events, []);
});

t.test('binding an amendment of a decision superseded meanwhile fails, and the unit of work records nothing', async (t) => {
  const original = await paidDecision(1_000_000);
  const amendment = await pendingIncrease(original);
  await bindAsRatified(amendment);
  const before = await auditHeadSeq(ctx.database);
  await t.rejects(bindAsRatified(amendment), { code: 'DECISION_TRANSITION_NOT_ALLOWED', message: /'superseded' cannot be superseded/ });
  t.equal(await auditHeadSeq(ctx.database), before, 'nothing was recorded');
  t.equal((await getDecision(ctx, original.id)).status, 'superseded');
});
