/**
 * A sequential model of the register, written from the contract and deliberately not derived
 * from the code: the state of each decision (with its commitments, what was paid on them, its
 * conditions and votes) and, for one request, the answer the contract gives in a given state of
 * the register and the state it leads to. Amendments tie decisions together (an amendment binds
 * and supersedes the decision it amends; a live amendment stops a second one and settlement, and
 * caps payments), so the model answers against the whole register, not one decision.
 *
 * Pure: no I/O. The checker (history-check.ts) replays a recorded history through it.
 */

export const TODAY = '2026-03-01';
export const THRESHOLD_CENTS = 10_000_000;

export type OpKind = 'create' | 'adopt' | 'vote' | 'withdraw' | 'fulfil' | 'condition' | 'disburse' | 'amend' | 'settle';

/**
 * What the generator meant the request to be. Anything but `valid` must never be acknowledged;
 * `invalid-body`, `unknown-programme` and `unknown-decision` fail the same way in every state.
 */
export type Intent =
  | 'valid'
  | 'invalid-body'
  | 'unknown-programme'
  | 'duplicate-reference'
  | 'unknown-decision'
  | 'bad-date'
  | 'not-required'
  | 'foreign-commitment'
  | 'bad-final';

export interface HistoryEntry {
  index: number;
  kind: OpKind;
  intent: Intent;
  /** Which app instance served it. */
  app: number;
  method: 'POST';
  url: string;
  body: Record<string, unknown>;
  /** The decision acted on (for an amendment: the decision it amends); for a create, the id from its 201 answer. */
  decisionId: string | undefined;
  conditionId: string | undefined;
  /** For creates and amendments: the reference sent. */
  reference: string | undefined;
  status: number;
  contentType: string;
  response: unknown;
  /** Milliseconds (performance.now, relative to the start of the run) before the request and after its answer. */
  start: number;
  end: number;
}

export type DecisionStatus = 'draft' | 'pending_ratification' | 'adopted' | 'ratified' | 'rejected' | 'withdrawn' | 'superseded' | 'settled';
export const BINDING: readonly DecisionStatus[] = ['adopted', 'ratified', 'settled'];
const LIVE: readonly DecisionStatus[] = ['draft', 'pending_ratification'];

export interface ModelVote {
  id: string;
  outcome: 'approve' | 'reject';
  decidedOn: string;
}

export interface ModelCommitment {
  id: string;
  programmeId: string;
  year: number;
  amountCents: number;
  finalAmountCents: number | null;
  disbursedCents: number;
}

export interface DecisionState {
  status: DecisionStatus;
  totalAmountCents: number;
  boardMeetingDate: string;
  requiredMunicipalityIds: readonly string[];
  /** By municipality. */
  votes: ReadonlyMap<string, ModelVote>;
  /** By condition id. */
  conditions: ReadonlyMap<string, { fulfilledOn: string | null; blocks: boolean }>;
  commitments: readonly ModelCommitment[];
  amends: string | null;
  /** The day it began to bind: the adoption day (today) or the last college's decidedOn. */
  bindingSince: string | null;
}

/** The register as the model sees it at one moment. */
export interface World {
  state(id: string): DecisionState | undefined;
  /** The amendments of a decision that exist at this moment. */
  amendmentsOf(id: string): string[];
}

export interface Expected {
  status: number;
  code?: string;
  /** The decisions the request changes, as they are after it. */
  changes?: Map<string, DecisionState>;
  /** The events the change writes after its own, in order (its own is matched to the request). */
  follow?: { action: string; decisionId: string }[];
}

const refused = (status: number, code: string): Expected => ({ status, code });
const notAllowed = refused(409, 'DECISION_TRANSITION_NOT_ALLOWED');
const key = (c: { programmeId: string; year: number }) => `${c.programmeId}/${c.year}`;
const committed = (c: ModelCommitment) => c.finalAmountCents ?? c.amountCents;

function sumBy<T>(items: readonly T[], keyOf: (item: T) => string, value: (item: T) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(keyOf(item), (sums.get(keyOf(item)) ?? 0) + value(item));
  return sums;
}

function liveAmendment(world: World, id: string): string | undefined {
  return world.amendmentsOf(id).find((a) => LIVE.includes(world.state(a)!.status));
}

/**
 * What the amendment's commitments become when it binds, with what was paid under the amended
 * decision spread over them (per programme and year, in order); undefined when it does not fit.
 */
function carriedOver(amended: DecisionState, amendment: DecisionState): ModelCommitment[] | undefined {
  const paid = sumBy(amended.commitments, key, (c) => c.disbursedCents);
  const result = amendment.commitments.map((c) => ({ ...c, disbursedCents: 0 }));
  for (const [k, cents] of paid) {
    let left = cents;
    for (const c of result) {
      if (key(c) !== k || left === 0) continue;
      c.disbursedCents = Math.min(left, c.amountCents);
      left -= c.disbursedCents;
    }
    if (left > 0) return undefined;
  }
  return result;
}

/** An amendment binds: the changes to it and to the decision it amends, and the events that follow. */
function bind(world: World, id: string, next: DecisionState, follow: { action: string; decisionId: string }[]): Expected {
  const changes = new Map([[id, next]]);
  if (next.amends === null) return { status: 0, changes, follow };
  const amended = world.state(next.amends)!;
  if (amended.status !== 'adopted' && amended.status !== 'ratified') return notAllowed;
  const commitments = carriedOver(amended, next);
  if (commitments === undefined) return refused(409, 'AMOUNT_BELOW_DISBURSED');
  changes.set(id, { ...next, commitments });
  changes.set(next.amends, { ...amended, status: 'superseded' });
  return { status: 0, changes, follow: [...follow, { action: 'decision.amended', decisionId: id }, { action: 'decision.superseded', decisionId: next.amends }] };
}

function ratificationStatus(required: readonly string[], votes: ReadonlyMap<string, ModelVote>): DecisionStatus {
  if ([...votes.values()].some((vote) => vote.outcome === 'reject')) return 'rejected';
  return required.length > 0 && required.every((id) => votes.get(id)?.outcome === 'approve') ? 'ratified' : 'pending_ratification';
}

type Request = Pick<HistoryEntry, 'kind' | 'intent' | 'body' | 'conditionId' | 'decisionId' | 'response'>;

/** The model of one request in a state of the register, in the order the contract lists the checks. */
export function expectOn(world: World, entry: Request, centreIds: readonly string[]): Expected {
  if (entry.intent === 'invalid-body') return refused(400, 'VALIDATION_FAILED');
  if (entry.intent === 'unknown-decision') return refused(404, 'RESOURCE_NOT_FOUND');
  const id = entry.decisionId ?? '';
  const state = world.state(id);
  if (state === undefined) return refused(404, 'RESOURCE_NOT_FOUND');
  const { status } = state;
  const with201 = (next: DecisionState, code = 201): Expected => ({ status: code, changes: new Map([[id, next]]) });
  switch (entry.kind) {
    case 'adopt': {
      if (status !== 'draft') return notAllowed;
      const amended = state.amends === null ? undefined : world.state(state.amends)!;
      if (amended !== undefined) {
        if (amended.status !== 'adopted' && amended.status !== 'ratified') return notAllowed;
        if (carriedOver(amended, state) === undefined) return refused(409, 'AMOUNT_BELOW_DISBURSED');
      }
      const needs = state.totalAmountCents >= THRESHOLD_CENTS && (amended === undefined || state.totalAmountCents > amended.totalAmountCents);
      if (!needs) {
        const bound = bind(world, id, { ...state, status: 'adopted', requiredMunicipalityIds: [], bindingSince: TODAY }, []);
        return bound.changes === undefined ? bound : { ...bound, status: 200 };
      }
      if (centreIds.length === 0) return refused(409, 'NO_CENTRE_MUNICIPALITIES');
      return with201({ ...state, status: 'pending_ratification', requiredMunicipalityIds: [...centreIds].sort() }, 200);
    }
    case 'withdraw':
      if (status !== 'draft' && status !== 'pending_ratification') return notAllowed;
      return with201({ ...state, status: 'withdrawn' }, 200);
    case 'vote': {
      const municipalityId = String(entry.body.municipalityId);
      const decidedOn = String(entry.body.decidedOn);
      if (status !== 'pending_ratification') return notAllowed;
      if (!state.requiredMunicipalityIds.includes(municipalityId)) return refused(400, 'VOTE_MUNICIPALITY_NOT_REQUIRED');
      if (decidedOn < state.boardMeetingDate || decidedOn > TODAY) return refused(400, 'VOTE_DATE_OUT_OF_RANGE');
      if (state.votes.has(municipalityId)) return refused(409, 'VOTE_ALREADY_CAST');
      const votes = new Map(state.votes);
      votes.set(municipalityId, { id: responseId(entry) ?? '?', outcome: entry.body.outcome as 'approve' | 'reject', decidedOn });
      const next: DecisionState = { ...state, votes, status: ratificationStatus(state.requiredMunicipalityIds, votes) };
      if (next.status === 'rejected') return { status: 201, changes: new Map([[id, next]]), follow: [{ action: 'decision.rejected', decisionId: id }] };
      if (next.status !== 'ratified') return with201(next);
      const bindingSince = [...votes.values()].map((v) => v.decidedOn).sort().at(-1)!;
      const bound = bind(world, id, { ...next, bindingSince }, [{ action: 'decision.ratified', decisionId: id }]);
      return bound.changes === undefined ? bound : { ...bound, status: 201 };
    }
    case 'fulfil': {
      if (status !== 'pending_ratification' && status !== 'adopted' && status !== 'ratified') return notAllowed;
      const conditionId = entry.conditionId ?? '';
      const condition = state.conditions.get(conditionId);
      if (condition === undefined) return refused(404, 'RESOURCE_NOT_FOUND');
      if (condition.fulfilledOn !== null) return refused(409, 'CONDITION_NOT_FULFILLABLE');
      const fulfilledOn = String(entry.body.fulfilledOn);
      if (fulfilledOn < state.boardMeetingDate || fulfilledOn > TODAY) return refused(400, 'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE');
      const conditions = new Map(state.conditions);
      conditions.set(conditionId, { ...condition, fulfilledOn });
      return with201({ ...state, conditions }, 200);
    }
    case 'condition': {
      if (status !== 'pending_ratification' && status !== 'adopted' && status !== 'ratified') return notAllowed;
      const conditions = new Map(state.conditions);
      conditions.set(responseId(entry) ?? '?', { fulfilledOn: null, blocks: entry.body.blocksDisbursement === true });
      return with201({ ...state, conditions });
    }
    case 'disburse':
      return disburse(world, id, state, entry);
    case 'amend': {
      if (status !== 'adopted' && status !== 'ratified') return notAllowed;
      if (liveAmendment(world, id) !== undefined) return refused(409, 'AMENDMENT_IN_PROGRESS');
      // The new draft itself is added by the checker, from the answer (its ids are the service's).
      return { status: 201, changes: new Map() };
    }
    case 'settle':
      return settle(world, id, state, entry);
    case 'create':
      throw new Error('creates are not checked against a decision state');
  }
}

function disburse(world: World, id: string, state: DecisionState, entry: Request): Expected {
  if (!BINDING.includes(state.status)) return notAllowed;
  const commitment = state.commitments.find((c) => c.id === entry.body.commitmentId);
  if (commitment === undefined) return refused(400, 'REFERENCED_RESOURCE_NOT_FOUND');
  const paidOn = String(entry.body.paidOn);
  if (state.bindingSince === null || paidOn < state.bindingSince || paidOn > TODAY) return refused(400, 'DISBURSEMENT_DATE_OUT_OF_RANGE');
  if ([...state.conditions.values()].some((c) => c.blocks && c.fulfilledOn === null)) return refused(409, 'CONDITION_BLOCKS_DISBURSEMENT');
  if ([...state.conditions.values()].some((c) => c.blocks && c.fulfilledOn !== null && paidOn < c.fulfilledOn)) return refused(409, 'DISBURSEMENT_BLOCKED');
  let remaining = committed(commitment) - commitment.disbursedCents;
  const pending = world.amendmentsOf(id).map((a) => world.state(a)!).find((a) => a.status === 'pending_ratification');
  if (pending !== undefined) {
    const room = (sumBy(pending.commitments, key, (c) => c.amountCents).get(key(commitment)) ?? 0) - (sumBy(state.commitments, key, (c) => c.disbursedCents).get(key(commitment)) ?? 0);
    remaining = Math.max(0, Math.min(remaining, room));
  }
  const amountCents = Number(entry.body.amountCents);
  if (amountCents > remaining) return refused(409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
  const commitments = state.commitments.map((c) => (c.id === commitment.id ? { ...c, disbursedCents: c.disbursedCents + amountCents } : c));
  return { status: 201, changes: new Map([[id, { ...state, commitments }]]) };
}

function settle(world: World, id: string, state: DecisionState, entry: Request): Expected {
  if (state.status !== 'adopted' && state.status !== 'ratified') return notAllowed;
  if (liveAmendment(world, id) !== undefined) return refused(409, 'AMENDMENT_IN_PROGRESS');
  const finals = (entry.body.finalAmounts ?? []) as { commitmentId: string; amountCents: number }[];
  const codes = new Set<string>();
  const seen = new Set<string>();
  for (const final of finals) {
    const commitment = state.commitments.find((c) => c.id === final.commitmentId);
    if (commitment === undefined) codes.add('REFERENCED_RESOURCE_NOT_FOUND');
    else if (seen.has(final.commitmentId)) codes.add('VALIDATION_FAILED');
    else if (final.amountCents > commitment.amountCents) codes.add('AMOUNT_OUT_OF_RANGE');
    seen.add(final.commitmentId);
  }
  if (state.commitments.some((c) => !seen.has(c.id))) codes.add('VALIDATION_FAILED');
  const settledOn = String(entry.body.settledOn);
  if (state.bindingSince === null || settledOn < state.bindingSince || settledOn > TODAY) codes.add('SETTLEMENT_DATE_OUT_OF_RANGE');
  if (codes.size > 0) return refused(400, codes.size === 1 ? [...codes][0]! : 'VALIDATION_FAILED');
  const finalOf = new Map(finals.map((f) => [f.commitmentId, f.amountCents]));
  if (state.commitments.some((c) => finalOf.get(c.id)! < c.disbursedCents)) return refused(409, 'AMOUNT_BELOW_DISBURSED');
  const commitments = state.commitments.map((c) => ({ ...c, finalAmountCents: finalOf.get(c.id)! }));
  return { status: 200, changes: new Map([[id, { ...state, status: 'settled', commitments }]]) };
}

export function responseId(entry: Pick<HistoryEntry, 'response'>): string | undefined {
  const id = (entry.response as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** Status codes and problem codes the contract allows per operation. */
export const ALLOWED: Record<OpKind, Record<number, readonly string[]>> = {
  create: { 201: [], 400: ['VALIDATION_FAILED', 'REFERENCED_RESOURCE_NOT_FOUND'], 409: ['DECISION_REFERENCE_TAKEN'] },
  adopt: {
    200: [],
    400: ['VALIDATION_FAILED'],
    404: ['RESOURCE_NOT_FOUND'],
    409: ['DECISION_TRANSITION_NOT_ALLOWED', 'NO_CENTRE_MUNICIPALITIES', 'AMOUNT_BELOW_DISBURSED'],
  },
  withdraw: { 200: [], 400: ['VALIDATION_FAILED'], 404: ['RESOURCE_NOT_FOUND'], 409: ['DECISION_TRANSITION_NOT_ALLOWED'] },
  vote: {
    201: [],
    400: ['VALIDATION_FAILED', 'VOTE_MUNICIPALITY_NOT_REQUIRED', 'VOTE_DATE_OUT_OF_RANGE'],
    404: ['RESOURCE_NOT_FOUND'],
    409: ['DECISION_TRANSITION_NOT_ALLOWED', 'VOTE_ALREADY_CAST'],
  },
  fulfil: {
    200: [],
    400: ['VALIDATION_FAILED', 'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE'],
    404: ['RESOURCE_NOT_FOUND'],
    409: ['DECISION_TRANSITION_NOT_ALLOWED', 'CONDITION_NOT_FULFILLABLE'],
  },
  condition: { 201: [], 400: ['VALIDATION_FAILED'], 404: ['RESOURCE_NOT_FOUND'], 409: ['DECISION_TRANSITION_NOT_ALLOWED'] },
  disburse: {
    201: [],
    400: ['VALIDATION_FAILED', 'REFERENCED_RESOURCE_NOT_FOUND', 'DISBURSEMENT_DATE_OUT_OF_RANGE'],
    404: ['RESOURCE_NOT_FOUND'],
    409: ['DECISION_TRANSITION_NOT_ALLOWED', 'CONDITION_BLOCKS_DISBURSEMENT', 'DISBURSEMENT_BLOCKED', 'DISBURSEMENT_EXCEEDS_COMMITMENT'],
  },
  amend: {
    201: [],
    400: ['VALIDATION_FAILED', 'REFERENCED_RESOURCE_NOT_FOUND'],
    404: ['RESOURCE_NOT_FOUND'],
    409: ['DECISION_TRANSITION_NOT_ALLOWED', 'AMENDMENT_IN_PROGRESS', 'DECISION_REFERENCE_TAKEN'],
  },
  settle: {
    200: [],
    400: ['VALIDATION_FAILED', 'REFERENCED_RESOURCE_NOT_FOUND', 'AMOUNT_OUT_OF_RANGE', 'SETTLEMENT_DATE_OUT_OF_RANGE'],
    404: ['RESOURCE_NOT_FOUND'],
    409: ['DECISION_TRANSITION_NOT_ALLOWED', 'AMENDMENT_IN_PROGRESS', 'AMOUNT_BELOW_DISBURSED'],
  },
};

export const SUCCESS: Record<OpKind, number> = {
  create: 201,
  adopt: 200,
  withdraw: 200,
  vote: 201,
  fulfil: 200,
  condition: 201,
  disburse: 201,
  amend: 201,
  settle: 200,
};

export const isAcknowledged = (entry: HistoryEntry) => entry.status === SUCCESS[entry.kind];

/** The first state of a decision the service created (a draft, or an amendment's draft), from its 201 answer. */
export function draftState(decision: DecisionJson): DecisionState {
  return {
    status: 'draft',
    totalAmountCents: decision.totalAmountCents,
    boardMeetingDate: decision.boardMeetingDate,
    requiredMunicipalityIds: [],
    votes: new Map(),
    conditions: new Map(decision.conditions.map((c) => [c.id, { fulfilledOn: null, blocks: c.blocksDisbursement }])),
    commitments: decision.commitments.map((c) => ({ id: c.id, programmeId: c.programmeId, year: c.year, amountCents: c.amountCents, finalAmountCents: null, disbursedCents: 0 })),
    amends: decision.amends,
    bindingSince: null,
  };
}

export interface DecisionJson {
  id: string;
  status: string;
  totalAmountCents: number;
  boardMeetingDate: string;
  amends: string | null;
  commitments: { id: string; programmeId: string; year: number; amountCents: number; finalAmountCents: number | null; disbursedCents: number }[];
  conditions: { id: string; fulfilledOn: string | null; blocksDisbursement: boolean }[];
  ratification: { requiredMunicipalityIds: string[] };
}
