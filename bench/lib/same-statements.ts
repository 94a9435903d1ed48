import { writeFileSync } from 'node:fs';
import type pg from 'pg';
import { openDatabase } from '../../src/db/client.js';
import { systemClock, todayInAmsterdam } from '../../src/domain/clock.js';
import { createDecision, type DecisionInput } from '../../src/use-cases/decisions.js';
import { castVote } from '../../src/use-cases/votes.js';
import type { Dataset } from './load.js';
import { recordStatements, type RecordedStatement } from './statement-recorder.js';

export interface RecordedWrite {
  statements: number;
  roundTrips: number;
}

const summary = (statements: RecordedStatement[]): RecordedWrite => ({
  statements: statements.filter((s) => !/^\s*(begin|commit)\b/i.test(s.text)).length,
  roundTrips: new Set(statements.map((s) => s.roundTrip)).size,
});

/**
 * Records what one vote (a first vote on a pending decision, which does not ratify it) and one
 * create send to PostgreSQL, through the service's own use cases on a pool of their own, and
 * writes both into `file` for the same-statements baseline (`bench/baselines/server.ts`, mode
 * `same`). The vote uses up one pair of the vote pool; the create adds one decision.
 */
export async function recordWriteScripts(options: {
  databaseUrl: string;
  dataset: Dataset;
  pool: pg.Pool;
  createInput: DecisionInput;
  file: string;
}): Promise<{ vote: RecordedWrite; create: RecordedWrite }> {
  const { dataset, pool } = options;
  const { rows } = await pool.query<{ id: string; required: string[] }>(`
    SELECT d.id, d.required_municipality_ids::text[] AS required FROM decisions d
    WHERE d.status = 'pending_ratification' AND NOT EXISTS (SELECT 1 FROM ratification_votes v WHERE v.decision_id = d.id)
    LIMIT 1`);
  const pending = rows[0];
  if (pending === undefined) throw new Error('no pending decision without votes to record a vote on (raise --vote-pool)');
  const municipalityId = pending.required[0]!;
  const database = await openDatabase({ databaseUrl: options.databaseUrl, dataDir: 'unused', poolSize: 10 });
  const ctx = { database, clock: systemClock };
  const recorder = recordStatements(database.pool!);
  try {
    const college = { principal: { keyId: dataset.keys.college.get(municipalityId)!.id, role: 'college' as const, organisationId: municipalityId } };
    recorder.start();
    await castVote(ctx, college, pending.id, { municipalityId, outcome: 'approve', decidedOn: todayInAmsterdam(systemClock), reference: 'B&W-recorded' });
    const vote = recorder.stop();
    const secretariat = { principal: { keyId: dataset.keys.secretariat.id, role: 'secretariat' as const, organisationId: null } };
    recorder.start();
    await createDecision(ctx, secretariat, options.createInput);
    const create = recorder.stop();
    writeFileSync(
      options.file,
      JSON.stringify({
        vote: { statements: vote, decisionId: pending.id, municipalityId },
        create: { statements: create, reference: options.createInput.reference },
      }),
    );
    return { vote: summary(vote), create: summary(create) };
  } finally {
    await database.close();
  }
}
