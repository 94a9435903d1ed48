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

const counted = new WeakSet<pg.PoolClient>();

/**
 * Counts the statements the pool's connections send and the round trips they cost (a
 * diagnostic for tests and `bench/`, never on in production). A round trip is a wait for the
 * server with nothing else sent: a statement sent while the connection waits for none. A
 * connection in pipeline mode sends statements issued together in one round trip; a connection
 * without it sends each statement after the previous one's answer, one round trip each.
 */
export function countRoundTrips(pool: pg.Pool): RoundTripCounter {
  let counts: RoundTripCounts = { statements: 0, roundTrips: 0 };
  pool.on('acquire', (client) => {
    if (counted.has(client)) return;
    counted.add(client);
    let inFlight = 0;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const settled = () => {
      inFlight--;
    };
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counts.statements++;
      if (inFlight === 0 || !(client as unknown as { pipeline?: boolean }).pipeline) counts.roundTrips++;
      inFlight++;
      // pg's own Pool.query passes a callback; drizzle awaits the promise.
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (...result: unknown[]) => {
          settled();
          (callback as (...r: unknown[]) => void)(...result);
        };
        return query(...args);
      }
      const answer = query(...args) as Promise<unknown>;
      answer.then(settled, settled);
      return answer;
    };
  });
  return {
    read: () => ({ ...counts }),
    reset: () => {
      counts = { statements: 0, roundTrips: 0 };
    },
  };
}
