import type { Clock } from '../domain/clock.js';
import type { Database } from '../db/client.js';
import type { DecisionViewCache } from './decision-view-cache.js';
import type { PrincipalCache } from './principal-cache.js';

/** What every use case needs: the database and the clock that defines "today" (and, serving requests, the key cache). */
export interface ServiceContext {
  database: Database;
  clock: Clock;
  /** Authenticated keys, when this context serves requests (not in scripts and background jobs). */
  principals?: PrincipalCache;
  /** Rendered decision views, validated against the database on every read (`getDecisionRendered`); absent: no cache. */
  decisionViews?: DecisionViewCache;
}
