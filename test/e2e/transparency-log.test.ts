import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from 'node:crypto';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import t, { type Test } from 'tap';
import { eventHash, GENESIS_HASH } from '../../src/audit/chain.js';
import { openLogCheckpoint } from '../../src/audit/log-checkpoint.js';
import { noteSigner } from '../../src/audit/note.js';
import { parseVkey } from '../../src/audit/vkey.js';
import { openDatabase, queryRows, type Database } from '../../src/db/client.js';
import { toAuditEvent } from '../../src/db/audit-repository.js';
import { runOfflineVerifier } from '../helpers/audit-verifier.js';
import { baseEnv, fetchReady, freePort, killGroup, serverDatabase, start, tempDataDir, waitUntilReady, type Started } from '../helpers/server-process.js';
import { nodeArgs } from '../helpers/project-dir.js';

/**
 * The transparency log as a new user meets it: the service, and three witnesses (the
 * repository's own on two ports, and one written here from the C2SP spec's text alone). A quorum
 * cosigns every served checkpoint; one decision's evidence verifies offline with the keys alone;
 * a superuser's consistent rewrite of an old event is refused by the witnesses; a database
 * restored from a backup is reported as a rollback.
 */
const ADMIN_API_KEY = `e2e-admin-${randomBytes(15).toString('hex')}`;
const logKeyPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const logVkey = noteSigner('eszl-decisions/log', createPrivateKey(logKeyPem)).verifierKey;

/** A witness written from tlog-witness, tlog-cosignature and RFC 9162 2.1.4.2, sharing no code with src/. */
function specWitness(name: string, logKey: string): { server: Server; vkey: string } {
  const [logName, logId, logKey64] = [logKey.slice(0, logKey.indexOf('+')), logKey.split('+')[1]!, logKey.split('+').slice(2).join('+')];
  const logPublic = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(logKey64, 'base64').subarray(1)]), format: 'der', type: 'spki' });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  const keyId = createHash('sha256').update(`${name}\n`).update(Buffer.from([4])).update(raw).digest().subarray(0, 4);
  const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat([Buffer.from([1]), ...parts])).digest();
  const consistent = (m: bigint, n: bigint, proof: Buffer[], r1: Buffer, r2: Buffer): boolean => {
    if (m === n) return proof.length === 0 && r1.equals(r2);
    if (m === 0n) return proof.length === 0;
    const path = (m & (m - 1n)) === 0n ? [r1, ...proof] : proof;
    if (path.length === 0) return false;
    let [fn, sn] = [m - 1n, n - 1n];
    while (fn & 1n) [fn, sn] = [fn >> 1n, sn >> 1n];
    let [fr, sr] = [path[0]!, path[0]!];
    for (const c of path.slice(1)) {
      if (sn === 0n) return false;
      if (fn & 1n || fn === sn) {
        [fr, sr] = [h(c, fr), h(c, sr)];
        while (!(fn & 1n) && fn !== 0n) [fn, sn] = [fn >> 1n, sn >> 1n];
      } else sr = h(sr, c);
      [fn, sn] = [fn >> 1n, sn >> 1n];
    }
    return sn === 0n && fr.equals(r1) && sr.equals(r2);
  };
  let state = { size: 0n, root: createHash('sha256').digest() };
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const reply = (status: number, text: string, type = 'text/plain') => response.writeHead(status, { 'Content-Type': type }).end(text);
      const split = body.indexOf('\n\n');
      const [oldLine, ...proofLines] = body.slice(0, split).split('\n');
      const note = body.slice(split + 2);
      const last = note.lastIndexOf('\n\n');
      const text = note.slice(0, last + 1);
      const [origin, sizeText, root64] = text.split('\n');
      if (split < 0 || last < 0 || !/^old (0|[1-9]\d*)$/.test(oldLine!)) return reply(400, 'malformed\n');
      if (origin !== logName) return reply(404, 'unknown log\n');
      const signed = note.slice(last + 2).split('\n').some((line) => {
        const [dash, who, b64] = line.split(' ');
        const bytes = Buffer.from(b64 ?? '', 'base64');
        return dash === '\u2014' && who === logName && bytes.subarray(0, 4).toString('hex') === logId && verify(null, Buffer.from(text), logPublic, bytes.subarray(4));
      });
      if (!signed) return reply(403, 'no valid log signature\n');
      const [old, size, root] = [BigInt(oldLine!.slice(4)), BigInt(sizeText!), Buffer.from(root64!, 'base64')];
      if (old > size) return reply(400, 'old size above the checkpoint\n');
      if (old !== state.size) return reply(409, `${state.size}\n`, 'text/x.tlog.size');
      if (old === size && !root.equals(state.root)) return reply(409, `${state.size}\n`, 'text/x.tlog.size');
      if (!consistent(old, size, proofLines.map((line) => Buffer.from(line, 'base64')), state.root, root)) return reply(422, 'inconsistent\n');
      state = { size, root };
      const time = Buffer.alloc(8);
      time.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)));
      const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${time.readBigUInt64BE()}\n${text}`), privateKey);
      reply(200, `\u2014 ${name} ${Buffer.concat([keyId, time, signature]).toString('base64')}\n`);
    });
  });
  return { server, vkey: `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([4]), raw]).toString('base64')}` };
}

async function repositoryWitness(t: Test, name: string): Promise<{ vkey: string; url: string }> {
  const port = await freePort();
  const witness = start(
    { ...baseEnv(), WITNESS_LOGS: logVkey, WITNESS_NAME: name, WITNESS_DATA_DIR: await tempDataDir(t, 'witness-'), PORT: String(port) },
    { args: nodeArgs(['src/cli/witness.ts']) },
  );
  t.teardown(() => killGroup(witness));
  const deadline = Date.now() + 60_000;
  while (!witness.stdout().includes('listening')) {
    if (Date.now() > deadline || witness.child.exitCode !== null) throw new Error(`witness ${name} did not start: ${witness.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { vkey: witness.stdout().split('\n')[0]!, url: `http://127.0.0.1:${port}` };
}

t.test('three witnesses, evidence offline, a consistent rewrite refused, a restore reported as a rollback', async (t) => {
  const heerlen = await repositoryWitness(t, 'heerlen.example/witness');
  const sittard = await repositoryWitness(t, 'sittard-geleen.example/witness');
  const independent = specWitness('maastricht.example/witness', logVkey);
  await new Promise<void>((resolve) => independent.server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => independent.server.close(resolve)).then(() => independent.server.closeAllConnections()));
  const maastricht = { vkey: independent.vkey, url: `http://127.0.0.1:${(independent.server.address() as AddressInfo).port}` };
  const witnesses = [heerlen, sittard, maastricht];

  const dataDir = await tempDataDir(t, 'eszl-tlog-');
  const database = await serverDatabase(t);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...baseEnv(),
    PORT: String(port),
    ADMIN_API_KEY,
    DATA_DIR: dataDir,
    AUDIT_SIGNING_KEY: logKeyPem,
    AUDIT_CHECKPOINT_INTERVAL_S: '1',
    AUDIT_LOG_WITNESSES: witnesses.map((w) => `${w.vkey}@${w.url}`).join(','),
    AUDIT_LOG_WITNESS_TIMEOUT_MS: '5000',
    ...(database?.url && { DATABASE_URL: database.url }),
  };
  let server: Started | undefined;
  const startServer = async () => {
    server = start(env);
    t.teardown(() => killGroup(server!));
    await waitUntilReady(server, () => fetchReady(base), 90_000);
  };
  const stopServer = async () => {
    server!.child.kill('SIGTERM');
    await server!.exited;
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, { method, headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  interface Status { treeSize: number; latestSignedSize: number; integratedSize: number; checkpoint: string | null; rollbackSuspected: unknown; witnesses: { name: string; lastStatus: number | null; lastError: string | null; lastCosignedSize: number | null }[] }
  const status = () => api('GET', '/tlog/status') as unknown as Promise<Status>;
  const until = async (what: string, done: (s: Status) => boolean): Promise<Status> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await status();
      if (done(s)) return s;
      if (Date.now() > deadline) throw new Error(`${what}: not within 60 s: ${JSON.stringify(s)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };
  const policy = { log: parseVkey(logVkey), witnesses: witnesses.map((w) => parseVkey(w.vkey)), quorum: 2 };
  const programme = await (async () => {
    await startServer();
    return api('POST', '/programmes', { code: `P-${randomUUID().slice(0, 6).toUpperCase()}`, name: 'Welcome to Maastricht Region' });
  })();
  const decision = async (title: string) =>
    api('POST', '/decisions', { reference: `PB-${randomUUID().slice(0, 8)}`, title, boardMeetingDate: '2026-01-15', commitments: [{ programmeId: programme.id, year: 2026, amountCents: 9_000_000 }] });

  // 1. Every served checkpoint carries a quorum of valid cosignatures, the independent witness's among them.
  const wtmr = await decision('Welcome to Maastricht Region');
  await api('POST', `/decisions/${String(wtmr.id)}/adopt`);
  const trailLength = async () => Number((await api('GET', '/audit-events/verify')).count);
  const cosignedUpTo = async (what: string, size: number) => until(what, (s) => s.treeSize === size && s.witnesses.every((w) => w.lastCosignedSize === size));
  const first = await cosignedUpTo('all three witnesses cosign', await trailLength());
  const opened = openLogCheckpoint(first.checkpoint!, policy);
  t.match(opened, { ok: true, cosignedBy: { length: 3 } }, 'cosigned by all three');
  t.ok(opened.ok && opened.cosignedBy.some((c) => c.name === 'maastricht.example/witness'), 'the witness written from the spec cosigned');
  t.equal(await (await fetch(`${base}/tlog/checkpoint`)).text(), first.checkpoint, '/tlog/checkpoint serves it, without a key');

  // A backup of this state, for step 4.
  await stopServer();
  const backup = await takeBackup(dataDir, database?.url);
  t.teardown(() => backup.drop());
  await startServer();

  // 2. One decision's evidence verifies offline with the keys alone; a corrupted copy fails, naming why.
  for (let i = 0; i < 3; i++) await decision(`Ambitieus MKB ${i}`);
  const second = await cosignedUpTo('a larger checkpoint is cosigned', await trailLength());
  t.ok(second.treeSize > first.treeSize);
  const evidence = await api('GET', `/decisions/${String(wtmr.id)}/evidence`);
  const file = join(dataDir, 'evidence.json');
  writeFileSync(file, JSON.stringify(evidence));
  const keys = ['--log-key', logVkey, ...witnesses.flatMap((w) => ['--witness-key', w.vkey])];
  const verified = await runOfflineVerifier('evidence', file, ...keys);
  t.equal(verified.status, 0, verified.stdout + verified.stderr);
  t.match(verified.stdout, /cosigned by .*maastricht.example\/witness.*\(quorum 2\)/);
  const events = evidence.events as { event: { seq: number; data: { decision: { title: string } } } }[];
  events[0]!.event.data.decision.title = 'Welcome to Maastricht Region (EUR 900,000)';
  writeFileSync(file, JSON.stringify(evidence));
  const corrupted = await runOfflineVerifier('evidence', file, ...keys);
  t.equal(corrupted.status, 1);
  t.equal(corrupted.fields.failure, `event seq ${events[0]!.event.seq}: its hash does not match its content (the event was changed)`);

  // 3. A superuser rewrites an old event and re-seals chain and tree consistently: the witnesses refuse.
  await stopServer();
  await rewriteHistory(dataDir, database?.url, events[0]!.event.seq);
  await startServer();
  await decision('After the rewrite');
  const refused = await until('the witnesses refuse the rewritten log', (s) => s.latestSignedSize > second.treeSize && s.witnesses.every((w) => w.lastStatus === 422 || w.lastStatus === 409));
  t.equal(refused.treeSize, 0, 'no checkpoint of the rewritten log is served');
  t.equal(refused.rollbackSuspected, null);
  t.match(refused.witnesses.find((w) => w.name === 'heerlen.example/witness'), { lastStatus: 422, lastError: /does not verify|another root/, lastCosignedSize: second.treeSize });

  // 4. The database restored from the backup of step 1: the witnesses have seen more; a rollback.
  await stopServer();
  await backup.restore();
  await startServer();
  await decision('After the restore');
  const rolledBack = await until('the rollback is reported', (s) => s.rollbackSuspected !== null);
  t.same(rolledBack.rollbackSuspected, { localSize: first.treeSize + 1, witnessedSize: second.treeSize }, 'the backup\'s size and one new event, against what the witnesses saw');
  t.equal((await fetch(`${base}/health/ready`)).status, 200, 'readiness stays 200');
  t.match(server!.stdout(), /rollback suspected/);
  await stopServer();
});

/** A copy of the database as it is now (the server stopped), and its restore. */
async function takeBackup(dataDir: string, url: string | undefined): Promise<{ restore(): Promise<void>; drop(): Promise<void> }> {
  if (url === undefined) {
    const copy = `${dataDir}-backup`;
    cpSync(dataDir, copy, { recursive: true });
    return {
      restore: async () => {
        rmSync(dataDir, { recursive: true, force: true });
        cpSync(copy, dataDir, { recursive: true });
      },
      drop: async () => rmSync(copy, { recursive: true, force: true }),
    };
  }
  const name = new URL(url).pathname.slice(1);
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
    await client.connect();
    try {
      await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}_backup" TEMPLATE "${name}"`);
  return {
    restore: async () => {
      await admin(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin(`CREATE DATABASE "${name}" TEMPLATE "${name}_backup"`);
    },
    drop: () => admin(`DROP DATABASE IF EXISTS "${name}_backup" WITH (FORCE)`),
  };
}

/**
 * What a superuser with the database in hand can do: change an old event, recompute every chain
 * hash after it, rebuild the tree from scratch and throw away the checkpoints that would betray
 * it. Nothing inside the database can tell any more; only what others kept can.
 */
async function rewriteHistory(dataDir: string, url: string | undefined, seq: number): Promise<void> {
  const database: Database = await openDatabase({ databaseUrl: url, dataDir, poolSize: 1 });
  try {
    await database.db.transaction(async (tx) => {
      const rows = await queryRows<{ seq: string }>(tx, sql`select seq::text from audit_events where seq >= ${seq} order by seq`);
      const [before] = await queryRows<{ hash: string }>(tx, sql`select hash from audit_events where seq = ${seq - 1}`);
      let prev = before?.hash ?? GENESIS_HASH;
      for (const { seq: s } of rows) {
        const [row] = await tx.query.auditEvents.findMany({ where: (e, { eq }) => eq(e.seq, Number(s)) });
        const event = toAuditEvent(row!);
        if (event.seq === seq) (event.data as { decision: { title: string } }).decision.title = 'Welcome to Maastricht Region (EUR 900,000)';
        const hash = eventHash(prev, event);
        await tx.execute(sql`update audit_events set data = ${JSON.stringify(event.data)}::jsonb, prev_hash = ${prev}, hash = ${hash} where seq = ${event.seq}`);
        prev = hash;
      }
      await tx.execute(sql`update audit_head set hash = ${prev} where id = 1`);
      await tx.execute(sql`delete from tlog_tiles`);
      await tx.execute(sql`delete from tlog_checkpoints`);
      await tx.execute(sql`update tlog_state set size = 0, root = sha256(''::bytea), signing_halted = null`);
    });
  } finally {
    await database.close();
  }
}
