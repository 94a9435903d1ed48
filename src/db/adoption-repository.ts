import type { Tx } from './client.js';
import { lockAdoptions } from './adoption-lock.js';
import { lockAndLoadAggregate, type DecisionAggregate } from './decisions-repository.js';
import { fundMoneyByYear } from './fund-repository.js';
import { listCentreMunicipalityIds } from './organisations-repository.js';
import { answersInOrder } from './pipeline.js';
import { listStatuteRules, type StatuteRuleRow } from './statute-rules-repository.js';

/** What adoption decides on besides the decision itself. */
export interface AdoptionFacts {
  /** For an amendment, the decision it amends, locked; undefined for a decision that amends none. */
  amended: DecisionAggregate | undefined;
  statuteRules: StatuteRuleRow[];
  /** The fund's money by year as it stood on the day of adoption. */
  fundMoney: Awaited<ReturnType<typeof fundMoneyByYear>>;
  centreMunicipalityIds: string[];
}

/**
 * Takes the adoption lock (`lockAdoptions`) and reads adoption's facts. The lock is sent first
 * and the reads right behind it, so they read what the adoptions before this one committed;
 * independent of each other, they share round trips. An amendment's amended decision is locked
 * here, after the amendment's own row (the lock order of src/use-cases/amendment-binding.ts).
 */
export async function lockAdoptionsAndLoadFacts(tx: Tx, amendedId: string | null, adoptedOn: string): Promise<AdoptionFacts> {
  const [, amended, statuteRules, fundMoney, centreMunicipalityIds] = await answersInOrder(
    lockAdoptions(tx),
    amendedId === null ? Promise.resolve(undefined) : lockAndLoadAggregate(tx, amendedId),
    listStatuteRules(tx),
    fundMoneyByYear(tx, adoptedOn),
    listCentreMunicipalityIds(tx),
  );
  return { amended, statuteRules, fundMoney, centreMunicipalityIds };
}
