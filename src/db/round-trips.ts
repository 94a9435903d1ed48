import type pg from 'pg';

/** What the pool's connections sent: statements, and the waits for the server they cost. */
export interface RoundTripCounts {
  statements: number;
  roundTrips: number;
}

export interface RoundTripCounter {
  /** The counts since the counter started or was last reset. */
  read(): RoundTripCounts;
  reset(): void;
}

/** A statement as a connection of the pool sends it. */
export interface SentStatement {
  text: string;
  values: unknown[];
  /** The prepared statement's name, for a named statement. */
  name?: string;
  rowMode?: string;
  /** Whether it costs a round trip of its own (see `watchStatements`). */
  opensRoundTrip: boolean;
}

/**
 * Calls `observe` with every statement the pool's connections send from now on (a diagnostic
 * for tests and `bench/`, never on in production), and what `observe` returns with the answer's
 * rows (undefined for a failed statement). A statement opens a round trip, a wait for the server
 * with nothing else sent, when it is sent while the connection waits for none; a connection in
 * pipeline mode sends statements issued together in one round trip, one without it each
 * statement after the previous one's answer.
 */
export function watchStatements(pool: pg.Pool, observe: (statement: SentStatement) => ((rows: unknown[] | undefined) => void) | void): void {
  const watched = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (watched.has(client)) return;
    watched.add(client);
    let inFlight = 0;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const [first, second] = args;
      const config = (typeof first === 'object' && first !== null ? first : { text: first }) as { text: string; values?: unknown[]; name?: string; rowMode?: string };
      const answered = observe({
        text: config.text,
        values: [...(Array.isArray(config.values) ? config.values : Array.isArray(second) ? (second as unknown[]) : [])],
        ...(config.name !== undefined && { name: config.name }),
        ...(config.rowMode !== undefined && { rowMode: config.rowMode }),
        opensRoundTrip: inFlight === 0 || !(client as unknown as { pipeline?: boolean }).pipeline,
      });
      inFlight++;
      const settled = (result?: unknown) => {
        inFlight--;
        answered?.((result as { rows?: unknown[] } | undefined)?.rows);
      };
      // pg's own Pool.query passes a callback; drizzle awaits the promise.
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (error: unknown, result: unknown) => {
          settled(error ? undefined : result);
          (callback as (e: unknown, r: unknown) => void)(error, result);
        };
        return query(...args);
      }
      const answer = query(...args) as Promise<unknown>;
      answer.then(settled, () => settled());
      return answer;
    };
  });
}

/** Counts the statements the pool's connections send and the round trips they cost (`watchStatements`). */
export function countRoundTrips(pool: pg.Pool): RoundTripCounter {
  let counts: RoundTripCounts = { statements: 0, roundTrips: 0 };
  watchStatements(pool, ({ opensRoundTrip }) => {
    counts.statements++;
    if (opensRoundTrip) counts.roundTrips++;
  });
  return {
    read: () => ({ ...counts }),
    reset: () => {
      counts = { statements: 0, roundTrips: 0 };
    },
  };
}
