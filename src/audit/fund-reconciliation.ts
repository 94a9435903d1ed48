import { BINDING_STATUSES, PENDING_STATUSES, type DecisionStatus } from '../domain/decision-lifecycle.js';

/**
 * Reconciles the ESZL fund from a snapshot (GET /exports/snapshot) alone: the money that came in
 * (the fund contributions, by their year) and the money the decisions commit (by commitment
 * year) are added up again from the snapshot's own lists, and each year must equal the fund view
 * the snapshot holds (`fund.years`, read in the same transaction). Sums are exact (bigint): a
 * cent off is a mismatch.
 *
 * The rules are the register's (src/db/funding-repository.ts): binding money is the commitments
 * of decisions in a binding state, at their final amount once settled; pending money is the
 * commitments of decisions awaiting ratification, for an amendment only what it commits above the
 * decision it amends (per programme and year, never below 0); paid money is the payments, by the
 * year of the commitment paid on.
 */
export interface SnapshotMoney {
  fundContributions: readonly { year: number; amountCents: number }[];
  decisions: readonly {
    id: string;
    status: DecisionStatus;
    amends: string | null;
    commitments: readonly { id: string; programmeId: string; year: number; amountCents: number; finalAmountCents: number | null }[];
  }[];
  disbursements: readonly { commitmentId: string; amountCents: number }[];
  fund: { years: readonly FundViewYear[] };
}

export interface FundViewYear {
  year: number;
  contributedCents: number;
  bindingCents: number;
  pendingCents: number;
  disbursedCents: number;
  uncommittedCents: number;
}

const FIELDS = ['contributedCents', 'bindingCents', 'pendingCents', 'disbursedCents', 'uncommittedCents'] as const;
type Field = (typeof FIELDS)[number];

export interface ReconciledYear {
  year: number;
  /** The figures added up from the snapshot's lists. */
  recomputed: Record<Field, bigint>;
  /** The fund view's figures of the year (zeros when the view has no such year). */
  fundView: Record<Field, bigint>;
  /** The fields that differ; empty when the year reconciles. */
  mismatches: Field[];
}

const zero = (): Record<Field, bigint> => ({ contributedCents: 0n, bindingCents: 0n, pendingCents: 0n, disbursedCents: 0n, uncommittedCents: 0n });

function cents(value: unknown, what: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`${what} is not an integer number of cents: ${String(value)}`);
  return BigInt(value);
}

/** Every year that either the lists or the fund view name, oldest first, each recomputed and compared. */
export function reconcileFund(snapshot: SnapshotMoney): ReconciledYear[] {
  const recomputed = new Map<number, Record<Field, bigint>>();
  const yearOf = (year: number) => {
    let figures = recomputed.get(year);
    if (figures === undefined) recomputed.set(year, (figures = zero()));
    return figures;
  };
  for (const contribution of snapshot.fundContributions) {
    yearOf(contribution.year).contributedCents += cents(contribution.amountCents, 'a fund contribution');
  }

  const binding = new Set<DecisionStatus>(BINDING_STATUSES);
  const pending = new Set<DecisionStatus>(PENDING_STATUSES);
  const decisions = new Map(snapshot.decisions.map((decision) => [decision.id, decision]));
  const commitmentYear = new Map<string, number>();
  for (const decision of snapshot.decisions) {
    for (const commitment of decision.commitments) commitmentYear.set(commitment.id, commitment.year);
    if (binding.has(decision.status)) {
      for (const commitment of decision.commitments) {
        yearOf(commitment.year).bindingCents += cents(commitment.finalAmountCents ?? commitment.amountCents, `a commitment of decision ${decision.id}`);
      }
    }
    if (pending.has(decision.status)) {
      const amended = decision.amends === null ? undefined : decisions.get(decision.amends);
      const perProgrammeYear = new Map<string, { year: number; cents: bigint }>();
      for (const commitment of decision.commitments) {
        const key = `${commitment.programmeId}/${commitment.year}`;
        const entry = perProgrammeYear.get(key) ?? { year: commitment.year, cents: 0n };
        entry.cents += cents(commitment.amountCents, `a commitment of decision ${decision.id}`);
        perProgrammeYear.set(key, entry);
      }
      for (const commitment of amended?.commitments ?? []) {
        const entry = perProgrammeYear.get(`${commitment.programmeId}/${commitment.year}`);
        if (entry !== undefined) entry.cents -= cents(commitment.finalAmountCents ?? commitment.amountCents, `a commitment of decision ${amended!.id}`);
      }
      for (const { year, cents: increase } of perProgrammeYear.values()) if (increase > 0n) yearOf(year).pendingCents += increase;
    }
  }
  for (const disbursement of snapshot.disbursements) {
    const year = commitmentYear.get(disbursement.commitmentId);
    if (year === undefined) throw new Error(`a payment on commitment ${disbursement.commitmentId}, which no decision of the snapshot holds`);
    yearOf(year).disbursedCents += cents(disbursement.amountCents, 'a payment');
  }
  for (const figures of recomputed.values()) figures.uncommittedCents = figures.contributedCents - figures.bindingCents - figures.pendingCents;

  const view = new Map<number, Record<Field, bigint>>();
  for (const year of snapshot.fund.years) {
    view.set(year.year, Object.fromEntries(FIELDS.map((field) => [field, cents(year[field], `the fund view's ${field} of ${year.year}`)])) as Record<Field, bigint>);
  }
  const years = [...new Set([...recomputed.keys(), ...view.keys()])].sort((a, b) => a - b);
  return years.map((year) => {
    const mine = recomputed.get(year) ?? zero();
    const theirs = view.get(year) ?? zero();
    return { year, recomputed: mine, fundView: theirs, mismatches: FIELDS.filter((field) => mine[field] !== theirs[field]) };
  });
}
