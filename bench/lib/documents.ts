import type pg from 'pg';

/**
 * The same-bytes baselines' data: every decision's JSON document exactly as the service's
 * `GET /api/v1/decisions/{id}` answers it, fetched from the service once after loading and
 * stored in `bench_decision_json(id uuid primary key, body text)`. B_doc and B_page then return
 * these bytes with one query, so the ratio compares the service with the least work that gives
 * a client the same answer.
 */
export async function storeDecisionDocuments(options: { serviceUrl: string; key: string; ids: readonly string[]; pool: pg.Pool }): Promise<{ documents: number; bytes: number }> {
  const { ids, pool } = options;
  await pool.query('DROP TABLE IF EXISTS bench_decision_json');
  await pool.query('CREATE TABLE bench_decision_json (id uuid PRIMARY KEY, body text NOT NULL)');
  let bytes = 0;
  const batch: { id: string; body: string }[] = [];
  const flush = async () => {
    const rows = batch.splice(0);
    if (rows.length === 0) return;
    await pool.query('INSERT INTO bench_decision_json (id, body) SELECT * FROM unnest($1::uuid[], $2::text[])', [rows.map((r) => r.id), rows.map((r) => r.body)]);
  };
  await forEachDecisionAnswer(options, async (id, body) => {
    bytes += Buffer.byteLength(body);
    batch.push({ id, body });
    if (batch.length >= 500) await flush();
  });
  await flush();
  await pool.query('VACUUM ANALYZE bench_decision_json');
  return { documents: ids.length, bytes };
}

/**
 * Asks the service for every decision once, as a warm instance has answered them, so that GET
 * one decision and the list are measured with the view cache filled rather than while it fills.
 * Each answer is compared with the document stored by `storeDecisionDocuments`: the cache must
 * give the bytes the uncached instance gave.
 */
export async function primeDecisionViews(options: { serviceUrl: string; key: string; ids: readonly string[]; pool: pg.Pool }): Promise<{ requests: number; differing: number; seconds: number }> {
  const { ids, pool } = options;
  const started = performance.now();
  const stored = new Map((await pool.query<{ id: string; body: string }>('SELECT id::text AS id, body FROM bench_decision_json')).rows.map((row) => [row.id, row.body]));
  let differing = 0;
  await forEachDecisionAnswer(options, (id, body) => {
    if (body !== stored.get(id)) differing++;
  });
  return { requests: ids.length, differing, seconds: (performance.now() - started) / 1000 };
}

/** `GET /api/v1/decisions/{id}` of each id, eight at a time; any answer but 200 stops it. */
async function forEachDecisionAnswer(options: { serviceUrl: string; key: string; ids: readonly string[] }, onAnswer: (id: string, body: string) => void | Promise<void>): Promise<void> {
  const { serviceUrl, key, ids } = options;
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const response = await fetch(`${serviceUrl}/api/v1/decisions/${id}`, { headers: { authorization: `Bearer ${key}` } });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`GET /api/v1/decisions/${id} answered ${response.status}: ${body.slice(0, 200)}`);
      await onAnswer(id, body);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
