import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { openLogCheckpoint } from '../../src/audit/log-checkpoint.js';
import { noteSigner } from '../../src/audit/note.js';
import { parseVkey } from '../../src/audit/vkey.js';
import { readTlogState } from '../../src/db/tlog-repository.js';
import { systemClock } from '../../src/domain/clock.js';
import { integrateTree } from '../../src/use-cases/tlog-integration.js';
import { tlogSettings } from '../../src/use-cases/tlog-settings.js';
import { issueLogCheckpoint } from '../../src/use-cases/tlog-signing.js';
import { appendEvents } from '../helpers/audit-events.js';
import { createTestDatabase } from '../helpers/database.js';

/** Checkpoints of the log: signed when the tree grew, at most one per interval, never one inconsistent with the last. */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx = { database: db.database, clock: systemClock };
const signer = noteSigner('eszl-decisions/log', generateKeyPairSync('ed25519').privateKey);
const settings = tlogSettings({ origin: signer.name, signer, witnesses: [], witnessTimeoutMs: 1_000 });
const policy = { log: parseVkey(signer.verifierKey), witnesses: [], quorum: 0 };

t.test('signs the integrated tree when it grew, and nothing when it did not', async (t) => {
  t.same(await issueLogCheckpoint(ctx, settings), { kind: 'nothing to sign' }, 'an empty tree is not signed');
  await appendEvents(db.database, 10);
  await integrateTree(ctx);
  const first = await issueLogCheckpoint(ctx, settings);
  if (first.kind !== 'signed') throw new Error(first.kind);
  const state = await readTlogState(db.database.db);
  t.match(openLogCheckpoint(first.checkpoint.note, policy), { ok: true, checkpoint: { origin: 'eszl-decisions/log', size: 10, root: state.root } });
  t.same(await issueLogCheckpoint(ctx, settings), { kind: 'nothing to sign' }, 'the tree did not grow');
  await appendEvents(db.database, 1);
  t.same(await issueLogCheckpoint(ctx, settings), { kind: 'nothing to sign' }, 'committed but not integrated yet');
  await integrateTree(ctx);
  t.same(await issueLogCheckpoint(ctx, settings, 3_600), { kind: 'nothing to sign' }, 'within the interval');
  t.match(await issueLogCheckpoint(ctx, settings), { kind: 'signed', checkpoint: { size: 11 } });
});

t.test('stops signing for good when the stored tree no longer matches its latest checkpoint', async (t) => {
  // A superuser rewrites a leaf of a stored tile: the root at the last checkpoint's size changes.
  await db.database.db.execute(sql`update tlog_tiles set hashes = set_byte(hashes, 0, (get_byte(hashes, 0) + 1) % 256) where level = 0 and idx = 0`);
  await appendEvents(db.database, 2);
  await integrateTree(ctx);
  const halted = await issueLogCheckpoint(ctx, settings);
  t.match(halted, { kind: 'halted', now: true, reason: /root at size 11 is .* but the log signed/ });
  t.match(await issueLogCheckpoint(ctx, settings), { kind: 'halted', now: false }, 'and stays stopped');
  t.match((await readTlogState(db.database.db)).signingHalted, /stored tree was changed/);
});
