import { and, asc, desc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from './client.js';
import { tlogCheckpoints, tlogCosignatures, tlogWitnesses } from './schema.js';
import type { LogCheckpointRow } from './tlog-repository.js';

/** The witnesses of the transparency log as this database saw them: their answers and the cosignatures they gave. */
export type WitnessRow = typeof tlogWitnesses.$inferSelect;

/**
 * Claims a witness for one submission: a lease of `seconds`, so that of several instances
 * running the job only one talks to a witness at a time. Creates its row at the first claim.
 * Undefined when another instance holds the lease.
 */
export async function claimWitness(ex: Executor, witness: string, url: string, seconds: number): Promise<WitnessRow | undefined> {
  await ex.insert(tlogWitnesses).values({ witness, url }).onConflictDoNothing({ target: tlogWitnesses.witness });
  const [row] = await ex
    .update(tlogWitnesses)
    .set({ url, leaseUntil: sql`now() + make_interval(secs => ${seconds})` })
    .where(and(eq(tlogWitnesses.witness, witness), or(isNull(tlogWitnesses.leaseUntil), lt(tlogWitnesses.leaseUntil, sql`now()`))))
    .returning();
  return row;
}

export interface WitnessAnswer {
  /** The size of the checkpoint submitted. */
  size: number;
  status: number | null;
  error: string | null;
  cosignedSize?: number;
  reportedSize?: number;
}

/** Records what a witness answered, and releases its lease. */
export async function recordWitnessAnswer(ex: Executor, witness: string, answer: WitnessAnswer): Promise<void> {
  await ex
    .update(tlogWitnesses)
    .set({
      lastAttemptSize: answer.size,
      lastStatus: answer.status,
      lastError: answer.error,
      lastAttemptAt: sql`now()`,
      leaseUntil: null,
      ...(answer.cosignedSize !== undefined && { lastCosignedSize: answer.cosignedSize }),
      ...(answer.reportedSize !== undefined && { reportedSize: answer.reportedSize }),
    })
    .where(eq(tlogWitnesses.witness, witness));
}

export async function insertCosignature(ex: Executor, size: number, witness: string, line: string): Promise<void> {
  await ex.insert(tlogCosignatures).values({ size, witness, line }).onConflictDoUpdate({ target: [tlogCosignatures.size, tlogCosignatures.witness], set: { line, receivedAt: sql`now()` } });
}

export async function witnessRows(ex: Executor, witnesses: readonly string[]): Promise<WitnessRow[]> {
  if (witnesses.length === 0) return [];
  return ex.select().from(tlogWitnesses).where(inArray(tlogWitnesses.witness, [...witnesses]));
}

/** The cosignature lines of the configured witnesses on the checkpoint of `size`, in the order of the witnesses' vkeys. */
export async function cosignatureLines(ex: Executor, size: number, witnesses: readonly string[]): Promise<string[]> {
  if (witnesses.length === 0) return [];
  const rows = await ex
    .select({ line: tlogCosignatures.line })
    .from(tlogCosignatures)
    .where(and(eq(tlogCosignatures.size, size), inArray(tlogCosignatures.witness, [...witnesses])))
    .orderBy(asc(tlogCosignatures.witness));
  return rows.map((row) => row.line);
}

/** The newest checkpoint that at least `quorum` of the configured witnesses cosigned (any checkpoint when the quorum is 0). */
export async function newestCosignedCheckpoint(ex: Executor, witnesses: readonly string[], quorum: number): Promise<LogCheckpointRow | undefined> {
  if (quorum === 0 || witnesses.length === 0) {
    const [row] = await ex.select().from(tlogCheckpoints).orderBy(desc(tlogCheckpoints.size)).limit(1);
    return row;
  }
  const cosigned = ex
    .select({ size: tlogCosignatures.size })
    .from(tlogCosignatures)
    .where(inArray(tlogCosignatures.witness, [...witnesses]))
    .groupBy(tlogCosignatures.size)
    .having(sql`count(*) >= ${quorum}`);
  const [row] = await ex.select().from(tlogCheckpoints).where(inArray(tlogCheckpoints.size, cosigned)).orderBy(desc(tlogCheckpoints.size)).limit(1);
  return row;
}

/**
 * The first checkpoint of at least `size` leaves (it includes the event of seq `size`) that the
 * log serves, with `newestCosignedCheckpoint`'s quorum rule. The first, not the newest: a letter
 * drawn from that event keeps naming the same checkpoint as the log grows, and any later one is
 * consistent with it (a consistency proof shows it).
 */
export async function firstServedCheckpointFrom(ex: Executor, size: number, witnesses: readonly string[], quorum: number): Promise<LogCheckpointRow | undefined> {
  const covering = gte(tlogCheckpoints.size, size);
  if (quorum === 0 || witnesses.length === 0) {
    const [row] = await ex.select().from(tlogCheckpoints).where(covering).orderBy(asc(tlogCheckpoints.size)).limit(1);
    return row;
  }
  const cosigned = ex
    .select({ size: tlogCosignatures.size })
    .from(tlogCosignatures)
    .where(and(inArray(tlogCosignatures.witness, [...witnesses]), gte(tlogCosignatures.size, size)))
    .groupBy(tlogCosignatures.size)
    .having(sql`count(*) >= ${quorum}`);
  const [row] = await ex.select().from(tlogCheckpoints).where(and(covering, inArray(tlogCheckpoints.size, cosigned))).orderBy(asc(tlogCheckpoints.size)).limit(1);
  return row;
}
