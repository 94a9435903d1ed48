import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import t from 'tap';
import { noteSigner } from '../../src/audit/note.js';
import { parseWitnessList } from '../../src/audit/witness-list.js';
import { systemClock } from '../../src/domain/clock.js';
import { integrateAndSign, runTransparencyLog } from '../../src/use-cases/tlog-job.js';
import { servedCheckpoint } from '../../src/use-cases/tlog-reads.js';
import { tlogSettings } from '../../src/use-cases/tlog-settings.js';
import { appendEvents } from '../helpers/audit-events.js';
import { createTestDatabase } from '../helpers/database.js';
import { startWitness } from '../helpers/witnesses.js';

/**
 * One turn of the log's job: integrate, sign when due, submit to the witnesses; the server's
 * first two steps alone. A checkpoint signed is logged at info, signing stopping at error, once.
 */
const signer = noteSigner('eszl-decisions/log', generateKeyPairSync('ed25519').privateKey);
function recording() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) }) };
}

t.test('a whole turn: integrated, signed, cosigned by the witness, served', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.close());
  const ctx = { database: db.database, clock: systemClock };
  const witness = await startWitness(t, 'heerlen.example/witness', signer.verifierKey);
  const settings = tlogSettings({ origin: signer.name, signer, witnesses: parseWitnessList(witness.entry), witnessTimeoutMs: 5_000 });
  const { lines, logger } = recording();

  await appendEvents(db.database, 12);
  const turn = await runTransparencyLog(ctx, settings, logger);
  t.equal(turn.integratedSize, 12);
  t.match(turn.signing, { kind: 'signed', checkpoint: { size: 12 } });
  t.match(turn.submissions, [{ kind: 'cosigned', status: 200 }]);
  t.equal((await servedCheckpoint(ctx, settings))?.size, 12, 'served once the quorum (1 of 1) cosigned');
  t.match(lines, [{ level: 30, msg: 'transparency log: checkpoint signed', size: 12 }]);

  const idle = await runTransparencyLog(ctx, settings, logger);
  t.match(idle, { signing: { kind: 'nothing to sign' }, submissions: [] }, 'nothing new: nothing signed, nothing submitted');
  t.equal(lines.length, 1, 'and nothing logged');
});

t.test('integrate and sign alone: the interval, and signing stopping is logged once', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.close());
  const ctx = { database: db.database, clock: systemClock };
  const settings = tlogSettings({ origin: signer.name, signer, witnesses: [], witnessTimeoutMs: 1_000 });
  const { lines, logger } = recording();

  await appendEvents(db.database, 3);
  t.match(await integrateAndSign(ctx, settings, logger), { integratedSize: 3, signing: { kind: 'signed' } });
  await appendEvents(db.database, 2);
  t.match(await integrateAndSign(ctx, settings, logger, 3_600), { integratedSize: 5, signing: { kind: 'nothing to sign' } }, 'within the interval: integrated, not signed');

  await db.database.db.execute(sql`update tlog_tiles set hashes = set_byte(hashes, 0, (get_byte(hashes, 0) + 1) % 256) where level = 0 and idx = 0`);
  await appendEvents(db.database, 1);
  t.match(await integrateAndSign(ctx, settings, logger), { signing: { kind: 'halted', now: true } });
  t.match(await integrateAndSign(ctx, settings, logger), { signing: { kind: 'halted', now: false } });
  const errors = lines.filter((line) => line.level === 50);
  t.equal(errors.length, 1, 'logged when it stopped, not at every turn after');
  t.match(errors[0], { msg: 'transparency log: signing stopped', reason: /root at size 3/ });
  t.equal(lines.filter((line) => line.msg === 'transparency log: checkpoint signed').length, 1);
});
