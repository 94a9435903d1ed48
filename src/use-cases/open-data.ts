import { todayInAmsterdam } from '../domain/clock.js';
import {
  DEFAULT_FUNDER,
  grantPackageHeader,
  organisationRef,
  toGrant,
  toVoteEvent,
  type OrgRef,
} from '../domain/open-data.js';
import type { Decision, Disbursement, Organisation, Programme } from '../domain/records.js';
import { readAuditEventTime, readAuditHead } from '../db/audit-repository.js';
import { loadAggregates } from '../db/decisions-repository.js';
import {
  firstFoundation,
  organisationsByIds,
  paymentsOfLineages,
  programmesByIds,
  publishedDecisionBatch,
  type PublishedSet,
} from '../db/open-data-repository.js';
import type { KeysetPosition } from '../db/pagination.js';
import type { Executor } from '../db/client.js';
import type { ServiceContext } from './context.js';
import { toDecision } from './decision-views.js';
import { toOrganisation } from './organisations.js';
import { toProgramme } from './programmes.js';

/**
 * The open data documents, streamed: a header, then the grants (or vote events) in keyset batches
 * of decisions, then the closing brackets. Memory stays bounded by one batch whatever the number
 * of decisions. Everything they show comes from audited tables, so the audit head identifies
 * their content: it is the ETag, and an unchanged head answers If-None-Match with 304 before
 * anything else is read.
 */
export type OpenDataDocument = '360giving' | 'vote-events';

export interface OpenDataVersion {
  etag: string;
  /** When the register last changed (the head event's time); null for an empty trail. */
  modified: string | null;
}

export async function openDataVersion(ctx: ServiceContext, document: OpenDataDocument): Promise<OpenDataVersion> {
  const head = await readAuditHead(ctx.database.db);
  const modified = head.seq === 0 ? undefined : await readAuditEventTime(ctx.database.db, head.seq);
  return { etag: `"${document}-${head.seq}-${head.hash.slice(0, 16)}"`, modified: modified?.toISOString() ?? null };
}

const BATCH = 200;

interface Batch {
  decisions: Decision[];
  organisations: Map<string, Organisation>;
  programmes: Map<string, Programme>;
}

/** The published decisions of one set, a batch at a time, with the organisations and programmes they name. */
async function* batches(ctx: ServiceContext, set: PublishedSet, size: number): AsyncGenerator<Batch> {
  const ex: Executor = ctx.database.db;
  const today = todayInAmsterdam(ctx.clock);
  let after: KeysetPosition | undefined;
  for (;;) {
    const positions = await publishedDecisionBatch(ex, set, after, size);
    if (positions.length === 0) return;
    // Published decisions were all adopted: what their views need from the statute is frozen into them.
    const decisions = (await loadAggregates(ex, positions.map((p) => p.id))).map((aggregate) => toDecision(aggregate, today));
    const programmes = new Map(
      (await programmesByIds(ex, [...new Set(decisions.flatMap((d) => d.commitments.map((c) => c.programmeId)))])).map((row) => [
        row.id,
        toProgramme(row),
      ]),
    );
    const organisationIds = new Set<string>();
    for (const decision of decisions) {
      if (decision.applicantOrganisationId !== null) organisationIds.add(decision.applicantOrganisationId);
      for (const id of decision.ratification.requiredMunicipalityIds) organisationIds.add(id);
    }
    for (const programme of programmes.values()) if (programme.ownerOrganisationId !== null) organisationIds.add(programme.ownerOrganisationId);
    const organisations = new Map((await organisationsByIds(ex, [...organisationIds])).map((row) => [row.id, toOrganisation(row)]));
    yield { decisions, organisations, programmes };
    if (positions.length < size) return;
    after = positions[positions.length - 1];
  }
}

async function funderOf(ctx: ServiceContext): Promise<OrgRef> {
  const foundation = await firstFoundation(ctx.database.db);
  return foundation === undefined ? DEFAULT_FUNDER : organisationRef(foundation);
}

/** The 360Giving package (schema 1.4) of every binding decision, as JSON text in chunks. */
export async function* grantPackageChunks(ctx: ServiceContext, version: OpenDataVersion, batchSize = BATCH): AsyncGenerator<string> {
  const funder = await funderOf(ctx);
  const header = JSON.stringify(grantPackageHeader(funder, version.modified));
  yield `${header.slice(0, -1)},"grants":[`;
  let separator = '';
  for await (const batch of batches(ctx, 'binding', batchSize)) {
    const payments = new Map<string, Disbursement[]>();
    for (const { decisionId, ...payment } of await paymentsOfLineages(ctx.database.db, batch.decisions.map((d) => d.id))) {
      payments.set(decisionId, [...(payments.get(decisionId) ?? []), { ...payment, decisionId }]);
    }
    let chunk = '';
    for (const decision of batch.decisions) {
      const grant = toGrant(decision, { funder, organisations: batch.organisations, programmes: batch.programmes, disbursements: payments.get(decision.id) ?? [] });
      chunk += separator + JSON.stringify(grant);
      separator = ',';
    }
    yield chunk;
  }
  yield ']}';
}

/** Popolo vote events of every decision whose ratification ended, as JSON text in chunks. */
export async function* voteEventChunks(ctx: ServiceContext, batchSize = BATCH): AsyncGenerator<string> {
  const funder = await funderOf(ctx);
  yield '{"vote_events":[';
  let separator = '';
  for await (const batch of batches(ctx, 'ratification-ended', batchSize)) {
    let chunk = '';
    for (const decision of batch.decisions) {
      chunk += separator + JSON.stringify(toVoteEvent(decision, batch.organisations, funder));
      separator = ',';
    }
    yield chunk;
  }
  yield ']}';
}
