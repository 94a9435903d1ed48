import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { CoFinancingKind } from '../domain/records.js';
import type { Executor } from './client.js';
import { auditEvents, coFinancing, decisions, organisations, programmes, statuteRules } from './schema.js';

/**
 * What the ratification request names besides the decision itself: organisations, programmes and
 * other decisions by name, the statute rule's reference, the co-financing of the decision's
 * programmes, and the decision's last audit event. Read in the request's one transaction.
 */
export async function organisationNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, [...ids]));
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function programmeRefs(ex: Executor, ids: readonly string[]): Promise<Map<string, { id: string; code: string; name: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await ex.select({ id: programmes.id, code: programmes.code, name: programmes.name }).from(programmes).where(inArray(programmes.id, [...ids]));
  return new Map(rows.map((row) => [row.id, row]));
}

export interface DecisionRefRow {
  decisionId: string;
  reference: string;
  title: string;
  totalAmountCents: number;
}

export async function decisionRefs(ex: Executor, ids: readonly string[]): Promise<Map<string, DecisionRefRow>> {
  if (ids.length === 0) return new Map();
  const rows = await ex
    .select({ decisionId: decisions.id, reference: decisions.reference, title: decisions.title, totalAmountCents: decisions.totalAmountCents })
    .from(decisions)
    .where(inArray(decisions.id, [...ids]));
  return new Map(rows.map((row) => [row.decisionId, row]));
}

export interface FundedCoFinancingRow {
  programmeId: string;
  year: number;
  funderOrganisationId: string | null;
  /** The funder organisation's name, else the recorded `funderName`. */
  funderName: string;
  kind: CoFinancingKind;
  amountCents: number;
  reference: string;
}

/** The co-financing of these programmes in these years, in the order it was recorded. */
export async function coFinancingOfProgrammeYears(ex: Executor, programmeIds: readonly string[], years: readonly number[]): Promise<FundedCoFinancingRow[]> {
  if (programmeIds.length === 0 || years.length === 0) return [];
  const rows = await ex
    .select({
      programmeId: coFinancing.programmeId,
      year: coFinancing.year,
      funderOrganisationId: coFinancing.funderOrganisationId,
      organisationName: organisations.name,
      funderName: coFinancing.funderName,
      kind: coFinancing.kind,
      amountCents: coFinancing.amountCents,
      reference: coFinancing.reference,
    })
    .from(coFinancing)
    .leftJoin(organisations, eq(organisations.id, coFinancing.funderOrganisationId))
    .where(and(inArray(coFinancing.programmeId, [...programmeIds]), inArray(coFinancing.year, [...years])))
    .orderBy(asc(coFinancing.createdAt), asc(coFinancing.id));
  return rows.map(({ organisationName, funderName, kind, ...row }) => ({
    ...row,
    kind: kind as CoFinancingKind,
    // The check constraint co_financing_funder_named makes one of them present.
    funderName: organisationName ?? funderName ?? '',
  }));
}

export async function statuteRuleReference(ex: Executor, version: number): Promise<string | undefined> {
  const [row] = await ex.select({ reference: statuteRules.reference }).from(statuteRules).where(eq(statuteRules.version, version));
  return row?.reference;
}

/** The decision's last audit event: the state a letter about it is drawn from. */
export async function lastDecisionEvent(ex: Executor, decisionId: string): Promise<{ seq: number; occurredAt: Date } | undefined> {
  const [row] = await ex
    .select({ seq: auditEvents.seq, occurredAt: auditEvents.occurredAt })
    .from(auditEvents)
    .where(and(eq(auditEvents.resourceType, 'decision'), eq(auditEvents.resourceId, decisionId)))
    .orderBy(desc(auditEvents.seq))
    .limit(1);
  return row;
}
