import { readAuditHead } from '../db/audit-repository.js';
import { retellSteps, type StoryStep } from '../db/story-retelling.js';
import type { ServiceContext } from './context.js';

/**
 * The demo story happened on its own dates (the board on 2025-11-19, Maastricht on 2026-02-03),
 * and an auditor trying `asOf` on it should see it so. The story is loaded through the use cases
 * like any change, a step at a time; then, in one transaction and only if nothing else was
 * recorded meanwhile and no checkpoint signed any of it, its audit events, its rows' timestamps
 * and its webhook outbox rows are moved to the story's moments and the chain from its first event
 * on is hashed again. That is a rewrite of the trail, allowed here only because these events were
 * recorded a moment ago by this very seed, into an empty register, and were never signed.
 */
export class StoryTime {
  private readonly steps: StoryStep[] = [];

  constructor(private readonly ctx: ServiceContext) {}

  /** Runs one step of the story, which happened at `at` (an RFC 3339 instant). */
  async step<T>(at: string, work: () => Promise<T>): Promise<T> {
    // Each step's own timestamps must differ from the previous step's, to the millisecond.
    await new Promise((resolve) => setTimeout(resolve, 3));
    const before = await readAuditHead(this.ctx.database.db);
    const result = await work();
    const after = await readAuditHead(this.ctx.database.db);
    this.steps.push({ at: new Date(at).toISOString(), fromSeq: before.seq + 1, toSeq: after.seq });
    return result;
  }

  /** Moves the recorded steps to their moments; false (and nothing changed) when it is no longer safe to. */
  retell(): Promise<boolean> {
    return retellSteps(this.ctx.database, this.steps);
  }
}
