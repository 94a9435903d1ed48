/**
 * Helpers for the concurrency test: a seeded PRNG, so a storm is reproducible from its seed, and
 * a pure judge that says whether one decision's end state is consistent with the answers its
 * requests got and the vote rows the database holds.
 */

/** mulberry32: a tiny 32-bit PRNG; the same seed always yields the same sequence in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Rng {
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  /** Fisher-Yates, in place; returns the array. */
  shuffle<T>(items: T[]): T[];
}

export function seededRng(seed: number): Rng {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(0, items.length - 1)]!;
    },
    chance: (p) => next() < p,
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(0, i);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
}

export type Outcome = 'approve' | 'reject';

/** One vote request of the storm and the answer it got. */
export interface VoteAttempt {
  municipalityId: string;
  outcome: Outcome;
  status: number;
  /** The problem's `code` for an error answer, the vote's id for a 201. */
  code: string | undefined;
  voteId: string | undefined;
}

export interface WithdrawAttempt {
  status: number;
  code: string | undefined;
}

/** A vote row as the database holds it, in acceptance (castAt) order. */
export interface VoteRow {
  id: string;
  municipalityId: string;
  outcome: Outcome;
}

export interface DecisionOutcome {
  requiredMunicipalityIds: readonly string[];
  votes: readonly VoteAttempt[];
  withdraws: readonly WithdrawAttempt[];
  /** Rows in castAt order. */
  rows: readonly VoteRow[];
  /** Status as the database holds it. */
  status: string;
}

/**
 * Every way the end state of one decision can contradict the contract, as readable lines; empty
 * when it is consistent. The rules:
 * - no municipality has two rows, and every row is of a required municipality;
 * - the 201 answers are exactly the rows (same ids, same municipality and outcome as requested);
 * - `withdrawn` iff a withdraw answered 200, and then every row is an approval and fewer than all;
 * - otherwise the status is what the rows imply: `rejected` with exactly one rejection, which is
 *   the last row; `ratified` with exactly one approval per required municipality and nothing else;
 *   `pending_ratification` with approvals only, fewer than all;
 * - a 409 is justified: a withdraw refused means the decision ended terminal without it; a
 *   municipality that voted and has no row means the decision ended rejected or withdrawn; a
 *   VOTE_ALREADY_CAST means that municipality has a row.
 */
export function inconsistencies(decision: DecisionOutcome): string[] {
  const problems: string[] = [];
  const { requiredMunicipalityIds, votes, withdraws, rows, status } = decision;
  const required = new Set(requiredMunicipalityIds);

  const rowsByMunicipality = new Map<string, VoteRow[]>();
  for (const row of rows) {
    if (!required.has(row.municipalityId)) problems.push(`vote row ${row.id} is of municipality ${row.municipalityId}, which is not required`);
    rowsByMunicipality.set(row.municipalityId, [...(rowsByMunicipality.get(row.municipalityId) ?? []), row]);
  }
  for (const [municipalityId, own] of rowsByMunicipality) {
    if (own.length > 1) problems.push(`municipality ${municipalityId} has ${own.length} vote rows`);
  }

  const accepted = votes.filter((vote) => vote.status === 201);
  if (accepted.length !== rows.length) problems.push(`${accepted.length} votes answered 201 but ${rows.length} vote rows exist`);
  const rowsById = new Map(rows.map((row) => [row.id, row]));
  for (const vote of accepted) {
    const row = vote.voteId === undefined ? undefined : rowsById.get(vote.voteId);
    if (row === undefined) {
      problems.push(`a 201 vote (${vote.municipalityId} ${vote.outcome}) has no row with id ${vote.voteId}`);
    } else if (row.municipalityId !== vote.municipalityId || row.outcome !== vote.outcome) {
      problems.push(`row ${row.id} is ${row.municipalityId} ${row.outcome}, but the 201 request was ${vote.municipalityId} ${vote.outcome}`);
    }
  }

  const withdrawn = withdraws.filter((w) => w.status === 200).length;
  if (withdrawn > 1) problems.push(`${withdrawn} withdraw requests answered 200`);
  const approvals = rows.filter((row) => row.outcome === 'approve');
  const rejections = rows.filter((row) => row.outcome === 'reject');

  if (status === 'withdrawn' || withdrawn > 0) {
    if (status !== 'withdrawn') problems.push(`a withdraw answered 200 but the status is ${status}`);
    if (withdrawn === 0) problems.push('status is withdrawn but no withdraw answered 200');
    if (rejections.length > 0) problems.push(`withdrawn with ${rejections.length} rejection(s): a rejection would have ended it first`);
    if (approvals.length >= required.size) problems.push(`withdrawn with ${approvals.length} approvals: it was ratified first`);
  } else if (status === 'rejected') {
    if (rejections.length !== 1) problems.push(`rejected with ${rejections.length} rejections (expected exactly 1)`);
    if (rows.at(-1)?.outcome !== 'reject') problems.push(`rejected, but the last vote by castAt is ${rows.at(-1)?.outcome ?? 'missing'}: a vote was accepted after the rejection`);
  } else if (status === 'ratified') {
    if (rejections.length > 0) problems.push(`ratified with ${rejections.length} rejection(s)`);
    const approving = new Set(approvals.map((row) => row.municipalityId));
    const missing = [...required].filter((id) => !approving.has(id));
    if (missing.length > 0) problems.push(`ratified without the approval of ${missing.join(', ')}`);
    if (rows.length !== required.size) problems.push(`ratified with ${rows.length} vote rows (expected ${required.size})`);
  } else if (status === 'pending_ratification') {
    if (rejections.length > 0) problems.push(`still pending with ${rejections.length} rejection(s)`);
    const approving = new Set(approvals.map((row) => row.municipalityId));
    if (required.size > 0 && [...required].every((id) => approving.has(id))) problems.push('still pending although every required municipality approved');
  } else {
    problems.push(`unexpected status ${status}`);
  }

  const terminal = status === 'ratified' || status === 'rejected' || status === 'withdrawn';
  if (withdraws.length > 0 && !terminal) problems.push(`withdraw was requested ${withdraws.length}x but the decision is still ${status}`);
  const voters = new Set(votes.map((vote) => vote.municipalityId));
  for (const municipalityId of voters) {
    if (!rowsByMunicipality.has(municipalityId) && status !== 'rejected' && status !== 'withdrawn') {
      problems.push(`municipality ${municipalityId} voted, got no 201, but the decision ended ${status}`);
    }
  }
  for (const vote of votes) {
    if (vote.status === 409 && vote.code === 'VOTE_ALREADY_CAST' && !rowsByMunicipality.has(vote.municipalityId)) {
      problems.push(`municipality ${vote.municipalityId} was told it already voted, but it has no vote row`);
    }
    if (vote.status === 409 && vote.code !== 'VOTE_ALREADY_CAST' && vote.code !== 'DECISION_TRANSITION_NOT_ALLOWED') {
      problems.push(`vote answered 409 with unexpected code ${vote.code}`);
    }
  }
  for (const withdraw of withdraws) {
    if (withdraw.status === 409 && withdraw.code !== 'DECISION_TRANSITION_NOT_ALLOWED') {
      problems.push(`withdraw answered 409 with unexpected code ${withdraw.code}`);
    }
  }
  return problems;
}
