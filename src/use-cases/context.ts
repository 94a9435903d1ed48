import type { Clock } from '../domain/clock.js';
import type { Database } from '../db/client.js';

/** What every use case needs: the database and the clock that defines "today". */
export interface ServiceContext {
  database: Database;
  clock: Clock;
}
