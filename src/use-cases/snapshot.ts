import { todayInAmsterdam } from '../domain/clock.js';
import { fundPosition, type FundPosition } from '../domain/fund.js';
import type {
  ApiKey,
  CoFinancing,
  CollegeDecision,
  Decision,
  Disbursement,
  FundContribution,
  Indicator,
  Organisation,
  Programme,
  StatuteRule,
  Subscription,
} from '../domain/records.js';
import { listApiKeys } from '../db/api-keys-repository.js';
import { readAuditHead } from '../db/audit-repository.js';
import { listAllCoFinancing } from '../db/co-financing-repository.js';
import { listCollegeDecisions } from '../db/college-decisions-repository.js';
import { decisionPositions, loadAggregates } from '../db/decisions-repository.js';
import { listDisbursementRows } from '../db/disbursements-repository.js';
import { fundMoneyByYear, listFundContributions } from '../db/fund-repository.js';
import { listAllIndicators, listIndicatorReports } from '../db/indicators-repository.js';
import { listOrganisations } from '../db/organisations-repository.js';
import type { KeysetPosition } from '../db/pagination.js';
import { listProgrammeRows } from '../db/programmes-repository.js';
import { listSubscriptions } from '../db/webhooks-repository.js';
import type { ServiceContext } from './context.js';
import { toApiKey } from './api-keys.js';
import { toCoFinancing } from './co-financing.js';
import { toCollegeDecision } from './college-decisions.js';
import { toDecision } from './decision-views.js';
import { toDisbursement } from './disbursements.js';
import { toFundContribution } from './fund.js';
import { toIndicator } from './indicators.js';
import { toOrganisation } from './organisations.js';
import { toProgramme } from './programmes.js';
import { statuteRules } from './statute-rules.js';
import { toSubscription } from './webhooks.js';
import { inReadOnlySnapshot } from '../db/transaction.js';

/**
 * The lists of a snapshot in the order they appear in it: the first four as they always were,
 * the rest after them, so a reader of the older lists finds their bytes unchanged.
 */
export const SNAPSHOT_LISTS = [
  'organisations',
  'programmes',
  'decisions',
  'statuteRules',
  'fundContributions',
  'coFinancing',
  'collegeDecisions',
  'indicators',
  'disbursements',
  'webhookSubscriptions',
  'apiKeys',
] as const;
export type SnapshotList = (typeof SNAPSHOT_LISTS)[number];

export interface SnapshotLists {
  organisations: Organisation[];
  programmes: Programme[];
  decisions: Decision[];
  statuteRules: StatuteRule[];
  fundContributions: FundContribution[];
  coFinancing: CoFinancing[];
  collegeDecisions: CollegeDecision[];
  /** Each with its reports. */
  indicators: Indicator[];
  disbursements: Disbursement[];
  /** Without their secrets and receivers' Authorization values (neither is part of a Subscription). */
  webhookSubscriptions: Subscription[];
  /** Without their hashes. */
  apiKeys: ApiKey[];
}

/** Everything of a snapshot but its lists, which follow in batches. */
export interface SnapshotFrame {
  generatedAt: string;
  auditHeadSeq: number;
  auditHeadHash: string;
  /** The fund's position as GET /fund answers it, read in the same transaction as the lists. */
  fund: FundPosition;
}

export type Snapshot = SnapshotFrame & SnapshotLists;

/**
 * Where a snapshot goes: the frame first, then each list in `SNAPSHOT_LISTS` order, a batch at a
 * time (a list with no items gets no call). Each call may wait (a slow client): the next batch is
 * read only once it returns.
 */
export interface SnapshotSink {
  frame(frame: SnapshotFrame): Promise<void>;
  list<K extends SnapshotList>(name: K, batch: SnapshotLists[K]): Promise<void>;
  /** After the last batch, still inside the transaction. */
  end(): Promise<void>;
}

const BATCH = 200;

/** A keyset page read: at most `limit + 1` rows after `after`, the extra one telling that more follow. */
type PageRead<Row> = (after: KeysetPosition | undefined, limit: number) => Promise<Row[]>;

/** Hands a whole table to `deliver` in batches of BATCH rows, reading the next batch only after the last was delivered. */
async function inBatches<Row extends KeysetPosition>(read: PageRead<Row>, deliver: (rows: Row[]) => Promise<void>): Promise<void> {
  let after: KeysetPosition | undefined;
  for (;;) {
    const rows = await read(after, BATCH);
    const batch = rows.slice(0, BATCH);
    if (batch.length > 0) await deliver(batch);
    if (rows.length <= BATCH) return;
    after = batch[batch.length - 1];
  }
}

/**
 * Everything in the register as of one moment: one REPEATABLE READ, read-only transaction sees a
 * single snapshot of the database, so the audit head it reports is exactly the last change the
 * data includes, and the fund's position is the sum of exactly the contributions, decisions and
 * payments listed. Every list is read in keyset batches inside that transaction and handed to
 * the sink one batch at a time, so memory stays bounded by a batch whatever the size of the
 * register.
 */
export async function exportSnapshot(ctx: ServiceContext, sink: SnapshotSink): Promise<void> {
  await inReadOnlySnapshot(ctx.database, async (tx) => {
    const head = await readAuditHead(tx);
    const today = todayInAmsterdam(ctx.clock);
    const rules = await statuteRules(tx);
    const fund = fundPosition(await fundMoneyByYear(tx));
    await sink.frame({ generatedAt: ctx.clock.now().toISOString(), auditHeadSeq: head.seq, auditHeadHash: head.hash, fund });

    await inBatches(
      (after, limit) => listOrganisations(tx, {}, after, limit),
      (rows) => sink.list('organisations', rows.map(toOrganisation)),
    );
    await inBatches(
      (after, limit) => listProgrammeRows(tx, after, limit),
      (rows) => sink.list('programmes', rows.map(toProgramme)),
    );
    await inBatches(
      (after, limit) => decisionPositions(tx, after, limit + 1),
      async (positions) => {
        const aggregates = await loadAggregates(tx, positions.map((position) => position.id));
        await sink.list('decisions', aggregates.map((aggregate) => toDecision(aggregate, today, rules)));
      },
    );
    // The statute rules are few (one per change of the statute) and already read for the decisions.
    if (rules.length > 0) await sink.list('statuteRules', rules);
    await inBatches(
      (after, limit) => listFundContributions(tx, {}, after, limit),
      (rows) => sink.list('fundContributions', rows.map(toFundContribution)),
    );
    await inBatches(
      (after, limit) => listAllCoFinancing(tx, after, limit),
      (rows) => sink.list('coFinancing', rows.map(toCoFinancing)),
    );
    await inBatches(
      (after, limit) => listCollegeDecisions(tx, {}, after, limit),
      (rows) => sink.list('collegeDecisions', rows.map(toCollegeDecision)),
    );
    await inBatches(
      (after, limit) => listAllIndicators(tx, after, limit),
      async (rows) => {
        const reports = await listIndicatorReports(tx, rows.map((row) => row.id));
        await sink.list('indicators', rows.map((row) => toIndicator(row, reports)));
      },
    );
    await inBatches(
      (after, limit) => listDisbursementRows(tx, {}, after, limit),
      (rows) => sink.list('disbursements', rows.map(toDisbursement)),
    );
    await inBatches(
      (after, limit) => listSubscriptions(tx, after, limit),
      (rows) => sink.list('webhookSubscriptions', rows.map(toSubscription)),
    );
    await inBatches(
      (after, limit) => listApiKeys(tx, after, limit),
      (rows) => sink.list('apiKeys', rows.map(toApiKey)),
    );
    await sink.end();
  });
}
