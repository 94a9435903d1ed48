import type pg from 'pg';

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

const recorded = new WeakSet<pg.PoolClient>();

/**
 * Records the statements the pool's connections send while recording is on, grouped into round
 * trips the way `src/db/round-trips.ts` counts them: on a pipelined connection a statement sent
 * while none is in flight opens a round trip, and those sent before it drains join it. What a
 * write sends, recorded once, is what the same-statements baseline (`bench/baselines/server.ts`,
 * mode `same`) replays without the service.
 */
export function recordStatements(pool: pg.Pool): { start(): void; stop(): RecordedStatement[] } {
  let on = false;
  let statements: RecordedStatement[] = [];
  let roundTrip = -1;
  pool.on('acquire', (client) => {
    if (recorded.has(client)) return;
    recorded.add(client);
    let inFlight = 0;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      let entry: RecordedStatement | undefined;
      if (on) {
        const [first, second] = args;
        const config = (typeof first === 'object' && first !== null ? first : { text: first }) as { text: string; values?: unknown[]; name?: string; rowMode?: string };
        const values = Array.isArray(config.values) ? config.values : Array.isArray(second) ? (second as unknown[]) : [];
        if (inFlight === 0 || !(client as unknown as { pipeline?: boolean }).pipeline) roundTrip++;
        entry = { text: config.text, values: [...values], ...(config.name && { name: config.name }), ...(config.rowMode && { rowMode: config.rowMode }), rows: [], roundTrip };
        statements.push(entry);
      }
      inFlight++;
      const settled = (result?: unknown) => {
        inFlight--;
        const rows = (result as { rows?: unknown[] } | undefined)?.rows;
        if (entry !== undefined && Array.isArray(rows)) entry.rows = rows;
      };
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (error: unknown, result: unknown) => {
          settled(result);
          (callback as (e: unknown, r: unknown) => void)(error, result);
        };
        return query(...args);
      }
      const answer = query(...args) as Promise<unknown>;
      answer.then(settled, () => settled());
      return answer;
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
