import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { cosigner } from '../src/audit/cosignature.js';
import { SIGNING_KEY_FILE } from '../src/audit/signing-key.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { systemClock } from '../src/domain/clock.js';
import { transparencyLog } from '../src/transparency-log.js';
import { appendEvents } from './helpers/audit-events.js';
import { createTestDatabase } from './helpers/database.js';
import { tempDataDir } from './helpers/server-process.js';

/**
 * The log as the app wires it: signed with AUDIT_SIGNING_KEY under AUDIT_LOG_ORIGIN; embedded,
 * with the data directory's own key when none is given; on PostgreSQL without the key, no signer
 * (and so no log). Its jobs run on the context given.
 */
const silent = pino({ level: 'silent' });
const pem = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const config = (env: Record<string, string> = {}) => loadConfig({ ADMIN_API_KEY: 'test-admin-key-0123456789abcdefghijklmnop', ...env });
const witnesses = ['a', 'b', 'c'].map((name) => `${cosigner(`${name}.example/witness`, generateKeyPairSync('ed25519').privateKey).vkey}@https://${name}.example`).join(',');

t.test('with AUDIT_SIGNING_KEY: signed under the origin, witnessed as configured, and it runs', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.close());
  const ctx = { database: db.database, clock: systemClock };
  const log = await transparencyLog(config({ AUDIT_SIGNING_KEY: pem(), AUDIT_LOG_ORIGIN: 'heerlen.example/log' }), db.database, ctx, silent);
  t.equal(log.settings.origin, 'heerlen.example/log');
  t.equal(log.settings.signer?.name, 'heerlen.example/log');
  t.same(log.settings.witnesses, [], 'no witnesses by default');
  t.equal(log.settings.quorum, 0);

  await appendEvents(db.database, 4);
  const turn = await log.run();
  t.match(turn, { integratedSize: 4, signing: { kind: 'signed', checkpoint: { size: 4 } }, submissions: [] });
  t.match(turn.signing.kind === 'signed' && turn.signing.checkpoint.note, /^heerlen\.example\/log\n4\n/);
  await appendEvents(db.database, 1);
  t.match(await log.integrateAndSign(3_600), { integratedSize: 5, signing: { kind: 'nothing to sign' } }, 'the interval is passed on');
  t.same(await log.submit(), [], 'nothing to submit without witnesses');
});

t.test('the witnesses and the quorum from the configuration', async (t) => {
  const database = { kind: 'postgres' } as Database;
  const ctx = { database, clock: systemClock };
  const majority = await transparencyLog(config({ AUDIT_SIGNING_KEY: pem(), AUDIT_LOG_WITNESSES: witnesses }), database, ctx, silent);
  t.same(majority.settings.witnesses.map((w) => w.vkey.name), ['a.example/witness', 'b.example/witness', 'c.example/witness']);
  t.equal(majority.settings.quorum, 2, 'a majority by default');
  t.equal(majority.settings.witnessTimeoutMs, 5_000);
  const one = await transparencyLog(config({ AUDIT_SIGNING_KEY: pem(), AUDIT_LOG_WITNESSES: witnesses, AUDIT_LOG_WITNESS_QUORUM: '1', AUDIT_LOG_WITNESS_TIMEOUT_MS: '700' }), database, ctx, silent);
  t.match(one.settings, { quorum: 1, witnessTimeoutMs: 700 });
});

t.test('without AUDIT_SIGNING_KEY: the embedded database\'s own key, kept in its directory; on PostgreSQL none', async (t) => {
  const dataDir = join(await tempDataDir(t, 'tlog-key-'), 'data');
  const embedded = { kind: 'pglite', dataDir } as Database;
  const ctx = { database: embedded, clock: systemClock };
  const first = await transparencyLog(config(), embedded, ctx, silent);
  t.ok(first.settings.signer, 'a signer');
  t.ok(existsSync(join(dataDir, SIGNING_KEY_FILE)), 'its key written into the data directory');
  const again = await transparencyLog(config(), embedded, ctx, silent);
  t.equal(again.settings.signer?.verifierKey, first.settings.signer?.verifierKey, 'the same key at the next start');

  const fromConfig = join(await tempDataDir(t, 'tlog-key-'), 'config-dir');
  const noDir = { kind: 'pglite' } as Database;
  await transparencyLog(config({ DATA_DIR: fromConfig }), noDir, { database: noDir, clock: systemClock }, silent);
  t.ok(existsSync(join(fromConfig, SIGNING_KEY_FILE)), 'DATA_DIR when the database names no directory');

  const postgres = { kind: 'postgres' } as Database;
  const none = await transparencyLog(config(), postgres, { database: postgres, clock: systemClock }, silent);
  t.equal(none.settings.signer, undefined, 'PostgreSQL without the key: no log');
});
