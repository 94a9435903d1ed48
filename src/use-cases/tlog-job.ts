import type { Logger } from 'pino';
import type { Submission } from '../notifications/witness-client.js';
import type { ServiceContext } from './context.js';
import { integrateTree } from './tlog-integration.js';
import { issueLogCheckpoint, type SigningOutcome } from './tlog-signing.js';
import type { TlogSettings } from './tlog-settings.js';
import { submitToWitnesses } from './tlog-witnessing.js';

/**
 * One turn of the transparency log's background job (every instance runs it; each step is safe
 * with several): integrate the events committed since the last turn into the tree, sign a
 * checkpoint when one is due, and submit the latest checkpoint to the witnesses that lack it.
 */
export interface TlogTurn {
  integratedSize: number | undefined;
  signing: SigningOutcome;
  submissions: Submission[];
}

export async function runTransparencyLog(ctx: ServiceContext, settings: TlogSettings, logger: Logger, minIntervalS = 0, fetchImpl?: typeof fetch): Promise<TlogTurn> {
  const { integratedSize, signing } = await integrateAndSign(ctx, settings, logger, minIntervalS);
  const submissions = await submitToWitnesses(ctx, settings, logger, fetchImpl);
  return { integratedSize, signing, submissions };
}

/** The first two steps alone: the server runs them on a timer of their own, so that no witness's timeout ever delays them. */
export async function integrateAndSign(ctx: ServiceContext, settings: TlogSettings, logger: Logger, minIntervalS = 0): Promise<Omit<TlogTurn, 'submissions'>> {
  const integratedSize = await integrateTree(ctx);
  const signing = await issueLogCheckpoint(ctx, settings, minIntervalS);
  if (signing.kind === 'halted' && signing.now) logger.error({ reason: signing.reason }, 'transparency log: signing stopped');
  if (signing.kind === 'signed') logger.info({ size: signing.checkpoint.size }, 'transparency log: checkpoint signed');
  return { integratedSize, signing };
}
