import { NOT_SUSPECTED } from '../domain/adoption.js';
import type { Splitting, StatuteRule } from '../domain/records.js';
import { assessSplitting } from '../domain/splitting.js';
import type { Tx } from '../db/client.js';
import { splittingFacts } from '../db/splitting-repository.js';
import type { Decision } from './decision-views.js';

/**
 * The splitting verdict of a decision being adopted under `rule`. Called under the adoption lock
 * (src/db/adoption-lock.ts), so every decision adopted before this one is seen, whichever instance
 * adopted it, and two decisions adopted at the same moment are never both judged without the other.
 */
export async function splittingAtAdoption(
  tx: Tx,
  decision: Pick<Decision, 'id' | 'applicantOrganisationId' | 'totalAmountCents' | 'commitments'>,
  rule: Pick<StatuteRule, 'thresholdCents' | 'splitting'>,
): Promise<Splitting> {
  if (rule.splitting.scope === 'none' || decision.totalAmountCents >= rule.thresholdCents) return NOT_SUSPECTED;
  const facts = await splittingFacts(tx, decision, rule.splitting.scope);
  return assessSplitting({ decision, lineageIds: facts.lineageIds, candidates: facts.candidates, rule });
}
