import { assertActsFor, municipalityScope, type Principal } from '../domain/access.js';
import { todayInAmsterdam } from '../domain/clock.js';
import { daysLeft, dueSoonUntil, ratificationState, type RatificationState } from '../domain/ratification-overview.js';
import type { Vote } from '../domain/records.js';
import { decodeRatificationCursor, encodeRatificationCursor, type Page } from '../db/pagination.js';
import { listRatificationRows, votesOfDecisions } from '../db/ratifications-repository.js';
import type { ServiceContext } from './context.js';
import { toVote } from './decision-views.js';

/** One college and one decision awaiting its ratification: a line of `GET /ratifications`. */
export interface RatificationItem {
  decisionId: string;
  reference: string;
  title: string;
  totalAmountCents: number;
  municipality: { id: string; name: string };
  state: RatificationState;
  dueDate: string | null;
  daysLeft: number | null;
  vote: Vote | null;
  votes: Vote[];
}

export interface RatificationQuery {
  municipalityId?: string | undefined;
  state?: RatificationState | undefined;
  cursor?: string | undefined;
  limit: number;
}

/**
 * The overview of what awaits the colleges: every (pending decision, required municipality), by
 * due date then decision. A college key sees its own municipality only (403 naming another).
 * The state is the domain's (`ratificationState`); the filter on it runs in SQL from the same
 * two dates, today and the end of the due-soon window.
 */
export async function listRatificationsPage(ctx: ServiceContext, caller: Principal, reminderDays: readonly number[], query: RatificationQuery): Promise<Page<RatificationItem>> {
  if (query.municipalityId !== undefined) assertActsFor(caller, query.municipalityId);
  const municipalityId = query.municipalityId ?? municipalityScope(caller);
  const after = query.cursor === undefined ? undefined : decodeRatificationCursor(query.cursor);
  const today = todayInAmsterdam(ctx.clock);
  const db = ctx.database.db;
  const rows = await listRatificationRows(db, { municipalityId, state: query.state, today, dueSoonUntil: dueSoonUntil(today, reminderDays) }, after, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const votes = await votesOfDecisions(db, [...new Set(page.map((row) => row.decisionId))]);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => {
      const cast = (votes.get(row.decisionId) ?? []).map(toVote);
      return {
        decisionId: row.decisionId,
        reference: row.reference,
        title: row.title,
        totalAmountCents: row.totalAmountCents,
        municipality: { id: row.municipalityId, name: row.municipalityName },
        state: ratificationState({ voted: row.voted, dueDate: row.dueDate }, today, reminderDays),
        dueDate: row.dueDate,
        daysLeft: daysLeft(today, row.dueDate),
        vote: cast.find((vote) => vote.municipalityId === row.municipalityId) ?? null,
        votes: cast,
      };
    }),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeRatificationCursor(last) : null,
  };
}
