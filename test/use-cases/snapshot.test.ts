import t from 'tap';
import { readAuditHead } from '../../src/db/audit-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { getFundPosition } from '../../src/use-cases/fund.js';
import { createOrganisation, listOrganisationsPage } from '../../src/use-cases/organisations.js';
import { exportSnapshot, SNAPSHOT_LISTS, type SnapshotFrame, type SnapshotList, type SnapshotSink } from '../../src/use-cases/snapshot.js';
import { SYSTEM_CALLER } from '../../src/use-cases/unit-of-work.js';
import { startTestApp } from '../helpers/app.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { decisionStates } from '../helpers/decision-states.js';
import { createCentreMunicipalities, createKey, createProgramme, fundTheRegister } from '../helpers/factories.js';
import { organisation } from '../helpers/register-rows.js';

/**
 * exportSnapshot called directly with a sink that records what it is handed: the frame first,
 * then each list in SNAPSHOT_LISTS order in batches of at most 200 (a list without items gets no
 * call), then the end; all of it one read of the register as of one moment, and nothing more once
 * the sink fails. The register: three centre municipalities that fund it, a programme, an adopted
 * decision and an API key. Today is 2026-03-01.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const centre = await createCentreMunicipalities(admin);
await fundTheRegister(admin, centre.maastricht.id);
const programme = await createProgramme(admin);
const { inState } = decisionStates(admin, programme.id, [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id]);
const decision = await inState('adopted');
await createKey(admin, 'reader');

interface Recorded {
  calls: string[];
  frame?: SnapshotFrame;
  lists: Map<SnapshotList, unknown[][]>;
}

/** A sink that records each call; `onFrame` runs while the frame is handed over, `failOn` makes that list's call fail. */
function recordingSink(options: { onFrame?: () => Promise<void>; failOn?: SnapshotList } = {}): { sink: SnapshotSink; recorded: Recorded } {
  const recorded: Recorded = { calls: [], lists: new Map() };
  const sink: SnapshotSink = {
    async frame(frame) {
      recorded.calls.push('frame');
      recorded.frame = frame;
      await options.onFrame?.();
    },
    async list(name, batch) {
      recorded.calls.push(name);
      recorded.lists.set(name, [...(recorded.lists.get(name) ?? []), batch]);
      if (name === options.failOn) throw new Error(`the client went away during ${name}`);
    },
    async end() {
      recorded.calls.push('end');
    },
  };
  return { sink, recorded };
}

async function snapshot(options: Parameters<typeof recordingSink>[0] = {}): Promise<Recorded> {
  const { sink, recorded } = recordingSink(options);
  await exportSnapshot(ctx, sink);
  return recorded;
}

const items = (recorded: Recorded, name: SnapshotList) => (recorded.lists.get(name) ?? []).flat() as { id: string }[];

t.test('the frame first, then each list with items in SNAPSHOT_LISTS order, then the end', async (t) => {
  const recorded = await snapshot();
  const present = ['organisations', 'programmes', 'decisions', 'statuteRules', 'fundContributions', 'apiKeys'];
  t.same(recorded.calls, ['frame', ...present, 'end'], 'co-financing, college decisions, indicators, payments and subscriptions: none, so no call');
  t.same(present, SNAPSHOT_LISTS.filter((name) => present.includes(name)), 'in the order of SNAPSHOT_LISTS');
  t.same(items(recorded, 'decisions').map((d) => d.id), [decision.id]);
  t.same(items(recorded, 'organisations'), (await listOrganisationsPage(ctx, {}, undefined, 100)).items, 'each item as its use case shows it');

  const head = await readAuditHead(db.database.db);
  t.same(recorded.frame, { generatedAt: '2026-03-01T12:00:00.000Z', auditHeadSeq: head.seq, auditHeadHash: head.hash, fund: await getFundPosition(ctx) });
});

t.test('a list is handed over in batches of 200: 200 items in one call, 201 in two', async (t) => {
  const existing = items(await snapshot(), 'organisations').length;
  await inTransaction(db.database, async (tx) => {
    for (let i = existing; i < 200; i++) await organisation(tx, { name: `Werkgever ${i}` });
  });
  const full = await snapshot();
  t.same(full.lists.get('organisations')?.map((batch) => batch.length), [200]);
  t.equal(full.calls.filter((call) => call === 'organisations').length, 1);

  const last = await createOrganisation(ctx, SYSTEM_CALLER, { name: 'Werkgever 201', kind: 'employer' });
  const over = await snapshot();
  t.same(over.lists.get('organisations')?.map((batch) => batch.length), [200, 1]);
  t.same(items(over, 'organisations').at(-1)?.id, last.id, 'the newest last');
  t.same(items(over, 'organisations').slice(0, 200), items(full, 'organisations'), 'the second batch continues after the first');
  t.same(over.calls.slice(0, 4), ['frame', 'organisations', 'organisations', 'programmes']);
});

t.test('what commits while the snapshot is being handed over is not in it, nor in its audit head', async (t) => {
  let late: Promise<{ id: string }> | undefined;
  const recorded = await snapshot({
    onFrame: async () => {
      late = createOrganisation(ctx, SYSTEM_CALLER, { name: 'Gemeente Eijsden-Margraten', kind: 'municipality' });
      // On PostgreSQL the change commits on another connection before the lists are read; the
      // embedded database runs one transaction at a time, so there it waits for the snapshot.
      if (testDatabaseUrl() !== undefined) await late;
    },
  });
  const committed = await late!;
  t.notOk(items(recorded, 'organisations').some((o) => o.id === committed.id), 'the new organisation is not listed');
  t.ok(recorded.frame!.auditHeadSeq < (await readAuditHead(db.database.db)).seq, 'and its event lies after the head the snapshot names');
});

t.test('a sink that fails ends the export: nothing more is handed over, and the failure is the answer', async (t) => {
  const { sink, recorded } = recordingSink({ failOn: 'programmes' });
  await t.rejects(exportSnapshot(ctx, sink), /the client went away during programmes/);
  t.same(recorded.calls.slice(-2), ['organisations', 'programmes']);
  t.notOk(recorded.calls.includes('end'));
});
