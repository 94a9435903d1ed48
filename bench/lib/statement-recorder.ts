import type pg from 'pg';
import { watchStatements } from '../../src/db/round-trips.js';

/** One statement a connection sent, as sent (text, parameters, prepared name, row mode), with its answer and its round trip. */
export interface RecordedStatement {
  text: string;
  values: unknown[];
  name?: string;
  rowMode?: string;
  /** The answer's rows (objects, or arrays in row mode `array`). */
  rows: unknown[];
  roundTrip: number;
}

/**
 * Records the statements the pool's connections send while recording is on, grouped into round
 * trips as `watchStatements` (src/db/round-trips.ts) tells them apart. What a write sends,
 * recorded once, is what the same-statements baseline (`bench/baselines/server.ts`, mode
 * `same`) replays without the service.
 */
export function recordStatements(pool: pg.Pool): { start(): void; stop(): RecordedStatement[] } {
  let on = false;
  let statements: RecordedStatement[] = [];
  let roundTrip = -1;
  watchStatements(pool, ({ opensRoundTrip, ...sent }) => {
    if (!on) return;
    if (opensRoundTrip) roundTrip++;
    const entry: RecordedStatement = { ...sent, rows: [], roundTrip };
    statements.push(entry);
    return (rows) => {
      entry.rows = rows ?? [];
    };
  });
  return {
    start: () => {
      statements = [];
      roundTrip = -1;
      on = true;
    },
    stop: () => {
      on = false;
      return statements;
    },
  };
}
