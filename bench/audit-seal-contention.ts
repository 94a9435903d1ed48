import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { canonicalParts } from '../src/audit/chain.js';
import { openDatabase } from '../src/db/client.js';
import { createDatabase, databaseUrl, dropBenchDatabase, postgresVersion } from './lib/pg.js';
import { table, writeResults } from './lib/report.js';
import { log, machineInfo, parseArgs, sleep, timestamp } from './lib/util.js';

/**
 * Does the single `audit_head` lock, held from the seal at COMMIT until the commit is durable,
 * limit concurrent writes? Writes per second at N connections (default 32) on the machine's
 * PostgreSQL, each write one transaction that inserts a row and one audit event of ~1 KB, in
 * three variants of the same run:
 *   seal-at-commit     the deferred trigger of migrations 0006/0007 seals the event as it commits (as today)
 *   seal-after-commit  the trigger off; a sealer connection seals committed events in batches
 *                      (the tree's integrator is such a job; this asks whether the chain should be one too)
 *   no-audit           the row alone: what the write costs without any audit event
 * Options: --seconds N per variant (default 8), --connections N (default 32), --keep.
 * Figures are indicative: the machine is shared.
 */
const { flags, values } = parseArgs(process.argv.slice(2));
const seconds = Number(values.get('seconds') ?? 8);
const connections = Number(values.get('connections') ?? 32);
const stamp = timestamp();
const dbName = `eszl_bench_${stamp.replace(/[^0-9]/g, '')}_seal`;

const data = JSON.stringify({ decision: { id: randomUUID(), title: 'x'.repeat(600), commitments: [{ programmeId: randomUUID(), year: 2027, amountCents: 14_000_000 }] } });
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

function writeStatement(audit: boolean): string {
  const id = randomUUID();
  const actor = { keyId: null, role: 'admin', organisationId: null };
  const { head, tail } = canonicalParts({ actor, action: 'decision.updated', resourceType: 'decision', resourceId: id, data: JSON.parse(data) });
  const event = audit
    ? `INSERT INTO audit_pending (actor_role, action, resource_type, resource_id, data, canonical_head, canonical_tail)
       VALUES ('admin', 'decision.updated', 'decision', '${id}', ${quote(data)}::jsonb, ${quote(head)}, ${quote(tail)});`
    : '';
  return `BEGIN; INSERT INTO bench_writes (payload) VALUES (${quote(data)}::jsonb); ${event} COMMIT;`;
}

// The chain's seal as a batch job: the oldest pending events of transactions that are all over
// (txid below the snapshot's xmin), so the sealed prefix never has a gap.
const SEAL_BATCH = `
CREATE OR REPLACE FUNCTION bench_seal_batch(batch int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE head_seq bigint; head_hash varchar(64); next_hash varchar(64); occurred text; pending record; n int := 0;
BEGIN
  SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE id = 1 FOR UPDATE;
  occurred := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  FOR pending IN SELECT * FROM audit_pending WHERE txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY txid, id LIMIT batch LOOP
    head_seq := head_seq + 1;
    next_hash := encode(sha256(convert_to(head_hash || pending.canonical_head || occurred || pending.canonical_tail || head_seq::text || '}', 'UTF8')), 'hex');
    INSERT INTO audit_events (seq, occurred_at, actor_key_id, actor_role, actor_organisation_id, action, resource_type, resource_id, data, prev_hash, hash)
    VALUES (head_seq, occurred::timestamptz, pending.actor_key_id, pending.actor_role, pending.actor_organisation_id, pending.action,
            pending.resource_type, pending.resource_id, pending.data, head_hash, next_hash);
    DELETE FROM audit_pending WHERE id = pending.id;
    head_hash := next_hash; n := n + 1;
  END LOOP;
  UPDATE audit_head SET seq = head_seq, hash = head_hash WHERE id = 1;
  RETURN n;
END $$;`;

type Variant = 'seal-at-commit' | 'seal-after-commit' | 'no-audit';

async function runVariant(variant: Variant): Promise<Record<string, number | string>> {
  const admin = new pg.Client({ connectionString: databaseUrl(dbName) });
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query('TRUNCATE audit_events, audit_pending, outbox_events, bench_writes CASCADE');
  await admin.query(`UPDATE audit_head SET seq = 0, hash = repeat('0', 64) WHERE id = 1`);
  await admin.query(`ALTER TABLE audit_pending ${variant === 'seal-at-commit' ? 'ENABLE' : 'DISABLE'} TRIGGER audit_pending_seal`);
  const clients = await Promise.all(Array.from({ length: connections }, async () => {
    const client = new pg.Client({ connectionString: databaseUrl(dbName), application_name: 'eszl-bench-writer' });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }));
  const statements = Array.from({ length: 64 }, () => writeStatement(variant !== 'no-audit'));
  let measuring = false;
  let running = true;
  let writes = 0;
  const latencies: number[] = [];
  const lockWaits: number[] = [];
  const workers = clients.map(async (client, i) => {
    let k = i;
    while (running) {
      const started = performance.now();
      await client.query(statements[k++ % statements.length]!);
      if (measuring) {
        writes++;
        latencies.push(performance.now() - started);
      }
    }
  });
  let sealed = 0;
  const sealer = variant === 'seal-after-commit' ? (async () => {
    while (running) {
      const { rows } = await admin.query<{ n: number }>('SELECT bench_seal_batch(5000) AS n');
      if (measuring) sealed += rows[0]!.n;
      if (rows[0]!.n === 0) await sleep(20);
    }
  })() : undefined;
  const sampler = (async () => {
    const probe = new pg.Client({ connectionString: databaseUrl(dbName) });
    probe.on('error', () => undefined);
    await probe.connect();
    while (running) {
      const { rows } = await probe.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'eszl-bench-writer' AND wait_event_type = 'Lock'`);
      if (measuring) lockWaits.push(rows[0]!.n);
      await sleep(100);
    }
    await probe.end();
  })();
  await sleep(1_000);
  measuring = true;
  const started = performance.now();
  await sleep(seconds * 1_000);
  measuring = false;
  const elapsed = (performance.now() - started) / 1_000;
  running = false;
  await Promise.all([...workers, sealer, sampler]);
  await Promise.all(clients.map((client) => client.end()));
  const pending = (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_pending')).rows[0]!.n;
  await admin.end();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    variant,
    writesPerSecond: Math.round(writes / elapsed),
    p50Ms: Math.round(pct(50) * 10) / 10,
    p99Ms: Math.round(pct(99) * 10) / 10,
    meanWaitingOnLocks: Math.round((lockWaits.reduce((a, b) => a + b, 0) / Math.max(lockWaits.length, 1)) * 10) / 10,
    ...(variant === 'seal-after-commit' && { sealedPerSecond: Math.round(sealed / elapsed), pendingAtEnd: pending }),
  };
}

async function main(): Promise<void> {
  const machine = machineInfo(await postgresVersion());
  log(`audit seal contention: ${connections} connections, ${seconds} s per variant; ${machine.cpu}, ${machine.cores} cores, PostgreSQL ${machine.postgres}`);
  await createDatabase(dbName);
  try {
    const database = await openDatabase({ databaseUrl: databaseUrl(dbName), dataDir: 'unused', poolSize: 2 });
    await database.close();
    const setup = new pg.Client({ connectionString: databaseUrl(dbName) });
    await setup.connect();
    await setup.query('CREATE TABLE bench_writes (id bigserial PRIMARY KEY, payload jsonb NOT NULL)');
    await setup.query(SEAL_BATCH);
    await setup.end();
    const results = [];
    for (const variant of ['seal-at-commit', 'seal-after-commit', 'no-audit', 'seal-at-commit'] as const) {
      const result = await runVariant(variant);
      log(JSON.stringify(result));
      results.push(result);
    }
    process.stdout.write(`\n${table(['variant', 'writes/s', 'p50 ms', 'p99 ms', 'writers waiting on a lock (mean)', 'sealed/s', 'pending at end'], results.map((r) => [
      String(r.variant), String(r.writesPerSecond), String(r.p50Ms), String(r.p99Ms), String(r.meanWaitingOnLocks), String(r.sealedPerSecond ?? ''), String(r.pendingAtEnd ?? ''),
    ]))}\n`);
    log(`results: ${writeResults('audit-seal-contention', { machine, connections, seconds, results })}`);
  } catch (error) {
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  } finally {
    if (!flags.has('keep')) await dropBenchDatabase(dbName);
  }
}

await main();
