/**
 * A sequential model of one decision and a checker that holds a recorded, concurrent history of
 * HTTP operations against it (Jepsen-style): the audit trail's `seq` is the service's own commit
 * order, so every acknowledged write is matched to exactly one audit event, the acknowledged writes
 * are replayed per decision in `seq` order through the model (each must be legal where it landed),
 * that order must respect real time (a write acknowledged before another one started committed
 * first), and every refused request must be explained by the model in some state the decision was
 * in while the request was in flight. Finally the database's end state must equal the replay, the
 * contract's invariants are checked on the raw rows, funding totals are compared three ways (API,
 * SQL, model) and the audit chain must verify.
 *
 * Pure: no I/O. The test gathers the history and the database snapshot and hands both in.
 */

export const TODAY = '2026-03-01';
export const THRESHOLD_CENTS = 10_000_000;

export type OpKind = 'create' | 'adopt' | 'vote' | 'withdraw' | 'fulfil';

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
  | 'not-required';

export interface HistoryEntry {
  index: number;
  kind: OpKind;
  intent: Intent;
  /** Which app instance served it. */
  app: number;
  method: 'POST';
  url: string;
  body: Record<string, unknown>;
  /** The decision acted on; for a create, the id from its 201 answer. */
  decisionId: string | undefined;
  conditionId: string | undefined;
  /** For creates: the reference sent. */
  reference: string | undefined;
  status: number;
  contentType: string;
  response: unknown;
  /** Milliseconds (performance.now, relative to the start of the run) before the request and after its answer. */
  start: number;
  end: number;
}

export type DecisionStatus = 'draft' | 'pending_ratification' | 'adopted' | 'ratified' | 'rejected' | 'withdrawn';

export interface ModelVote {
  id: string;
  outcome: 'approve' | 'reject';
}

export interface DecisionState {
  status: DecisionStatus;
  totalAmountCents: number;
  boardMeetingDate: string;
  requiredMunicipalityIds: readonly string[];
  /** By municipality. */
  votes: ReadonlyMap<string, ModelVote>;
  /** By condition id: fulfilledOn, or null while open. */
  conditions: ReadonlyMap<string, string | null>;
}

export interface Expected {
  status: number;
  code?: string;
  next?: DecisionState;
}

const refused = (status: number, code: string): Expected => ({ status, code });

/** The model of one request on one decision, in the order the contract lists the checks. */
export function expectOn(state: DecisionState, entry: Pick<HistoryEntry, 'kind' | 'intent' | 'body' | 'conditionId'>, centreIds: readonly string[]): Expected {
  if (entry.intent === 'invalid-body') return refused(400, 'VALIDATION_FAILED');
  if (entry.intent === 'unknown-decision') return refused(404, 'RESOURCE_NOT_FOUND');
  const { status } = state;
  switch (entry.kind) {
    case 'adopt': {
      if (status !== 'draft') return refused(409, 'DECISION_TRANSITION_NOT_ALLOWED');
      if (state.totalAmountCents < THRESHOLD_CENTS) return { status: 200, next: { ...state, status: 'adopted', requiredMunicipalityIds: [] } };
      if (centreIds.length === 0) return refused(409, 'NO_CENTRE_MUNICIPALITIES');
      return { status: 200, next: { ...state, status: 'pending_ratification', requiredMunicipalityIds: [...centreIds].sort() } };
    }
    case 'withdraw':
      if (status !== 'draft' && status !== 'pending_ratification') return refused(409, 'DECISION_TRANSITION_NOT_ALLOWED');
      return { status: 200, next: { ...state, status: 'withdrawn' } };
    case 'vote': {
      const municipalityId = String(entry.body.municipalityId);
      const outcome = entry.body.outcome as 'approve' | 'reject';
      const decidedOn = String(entry.body.decidedOn);
      if (status !== 'pending_ratification') return refused(409, 'DECISION_TRANSITION_NOT_ALLOWED');
      if (!state.requiredMunicipalityIds.includes(municipalityId)) return refused(400, 'VOTE_MUNICIPALITY_NOT_REQUIRED');
      if (decidedOn < state.boardMeetingDate || decidedOn > TODAY) return refused(400, 'VOTE_DATE_OUT_OF_RANGE');
      if (state.votes.has(municipalityId)) return refused(409, 'VOTE_ALREADY_CAST');
      const votes = new Map(state.votes);
      votes.set(municipalityId, { id: '?', outcome });
      return { status: 201, next: { ...state, votes, status: ratificationStatus(state.requiredMunicipalityIds, votes) } };
    }
    case 'fulfil': {
      if (status !== 'pending_ratification' && status !== 'adopted' && status !== 'ratified') {
        return refused(409, 'DECISION_TRANSITION_NOT_ALLOWED');
      }
      const conditionId = entry.conditionId ?? '';
      if (!state.conditions.has(conditionId)) return refused(404, 'RESOURCE_NOT_FOUND');
      if (state.conditions.get(conditionId) !== null) return refused(409, 'CONDITION_NOT_FULFILLABLE');
      const fulfilledOn = String(entry.body.fulfilledOn);
      if (fulfilledOn > TODAY) return refused(400, 'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE');
      const conditions = new Map(state.conditions);
      conditions.set(conditionId, fulfilledOn);
      return { status: 200, next: { ...state, conditions } };
    }
    case 'create':
      throw new Error('creates are not checked against a decision state');
  }
}

function ratificationStatus(required: readonly string[], votes: ReadonlyMap<string, ModelVote>): DecisionStatus {
  if ([...votes.values()].some((vote) => vote.outcome === 'reject')) return 'rejected';
  return required.length > 0 && required.every((id) => votes.get(id)?.outcome === 'approve') ? 'ratified' : 'pending_ratification';
}

/** Status codes and problem codes the contract allows per operation. */
export const ALLOWED: Record<OpKind, Record<number, readonly string[]>> = {
  create: { 201: [], 400: ['VALIDATION_FAILED', 'REFERENCED_RESOURCE_NOT_FOUND'], 409: ['DECISION_REFERENCE_TAKEN'] },
  adopt: { 200: [], 400: ['VALIDATION_FAILED'], 404: ['RESOURCE_NOT_FOUND'], 409: ['DECISION_TRANSITION_NOT_ALLOWED', 'NO_CENTRE_MUNICIPALITIES'] },
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
};

export const SUCCESS: Record<OpKind, number> = { create: 201, adopt: 200, withdraw: 200, vote: 201, fulfil: 200 };

export const isAcknowledged = (entry: HistoryEntry) => entry.status === SUCCESS[entry.kind];

// ---------------------------------------------------------------------------------------------
// What the database holds, read with SQL after the run.

export interface DbDecision {
  id: string;
  reference: string;
  status: string;
  totalAmountCents: number;
  requiredMunicipalityIds: string[];
}
export interface DbCommitment {
  id: string;
  decisionId: string;
  position: number;
  programmeId: string;
  year: number;
  amountCents: number;
}
export interface DbCondition {
  id: string;
  decisionId: string;
  position: number;
  fulfilledOn: string | null;
  evidence: string | null;
}
export interface DbVote {
  id: string;
  decisionId: string;
  municipalityId: string;
  outcome: string;
  decidedOn: string;
}
export interface DbAuditEvent {
  seq: number;
  action: string;
  resourceType: string;
  resourceId: string;
  data: unknown;
}
export interface DbSnapshot {
  decisions: DbDecision[];
  commitments: DbCommitment[];
  conditions: DbCondition[];
  votes: DbVote[];
  audit: DbAuditEvent[];
}

export interface FundingYear {
  year: number;
  bindingCents: number;
  pendingCents: number;
}
export interface FundingAnswer {
  programmeId: string;
  app: number;
  status: number;
  body: { programmeId?: string; years?: FundingYear[]; totalBindingCents?: number; totalPendingCents?: number };
}
export interface SqlFundingRow extends FundingYear {
  programmeId: string;
}
export interface VerifyAnswer {
  app: number;
  status: number;
  body: { valid?: boolean; count?: number; firstInvalidSeq?: number | null };
}

export interface CheckInput {
  history: readonly HistoryEntry[];
  db: DbSnapshot;
  centreMunicipalityIds: readonly string[];
  programmeIds: readonly string[];
  funding: readonly FundingAnswer[];
  sqlFunding: readonly SqlFundingRow[];
  verify: readonly VerifyAnswer[];
}

export interface Violation {
  rule: string;
  detail: string;
}

export interface CheckResult {
  violations: Violation[];
  stats: {
    operations: number;
    byKind: Record<string, Record<number, number>>;
    acknowledged: number;
    refusalsExplained: number;
    finalStatuses: Record<string, number>;
    auditEvents: number;
    maxTransitionsPerDecision: number;
  };
}

interface Transition {
  seq: number;
  entry: HistoryEntry;
}

interface Replay {
  decisionId: string;
  create: HistoryEntry;
  /** states[k]: after the create and the first k transitions. */
  states: DecisionState[];
  transitions: Transition[];
}

const short = (value: unknown) => JSON.stringify(value)?.slice(0, 300);
const describe = (e: HistoryEntry) => `#${e.index} ${e.kind}(${e.intent}) ${e.url} ${short(e.body)} -> ${e.status} ${short(e.response)}`;

function problemCode(entry: HistoryEntry): string | undefined {
  const code = (entry.response as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function responseId(entry: HistoryEntry): string | undefined {
  const id = (entry.response as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** The key by which an acknowledged operation and the audit event it wrote find each other. */
function opKey(entry: HistoryEntry): string {
  switch (entry.kind) {
    case 'create':
      return `created:${responseId(entry)}`;
    case 'adopt':
      return `adopted:${entry.decisionId}`;
    case 'withdraw':
      return `withdrawn:${entry.decisionId}`;
    case 'vote':
      return `vote:${responseId(entry)}`;
    case 'fulfil':
      return `fulfilled:${entry.conditionId}`;
  }
}

function eventKey(event: DbAuditEvent): string | undefined {
  const data = event.data as { vote?: { id?: string }; condition?: { id?: string } } | null;
  switch (event.action) {
    case 'decision.created':
      return `created:${event.resourceId}`;
    case 'decision.adopted':
      return `adopted:${event.resourceId}`;
    case 'decision.withdrawn':
      return `withdrawn:${event.resourceId}`;
    case 'vote.cast':
      return `vote:${data?.vote?.id}`;
    case 'condition.fulfilled':
      return `fulfilled:${data?.condition?.id}`;
    default:
      return undefined;
  }
}

interface DecisionJson {
  id: string;
  status: string;
  totalAmountCents: number;
  boardMeetingDate: string;
  commitments: { id: string; programmeId: string; year: number; amountCents: number }[];
  conditions: { id: string; fulfilledOn: string | null }[];
  ratification: { requiredMunicipalityIds: string[] };
}

const sameList = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();

export function checkHistory(input: CheckInput): CheckResult {
  const { history, db, centreMunicipalityIds: centreIds } = input;
  const violations: Violation[] = [];
  const violate = (rule: string, detail: string) => violations.push({ rule, detail });

  // 1. Every answer is one the contract allows for the operation; errors are problem+json.
  const byKind: Record<string, Record<number, number>> = {};
  for (const entry of history) {
    const counts = (byKind[entry.kind] ??= {});
    counts[entry.status] = (counts[entry.status] ?? 0) + 1;
    if (entry.status >= 500) {
      violate('no-5xx', describe(entry));
      continue;
    }
    const allowedCodes = ALLOWED[entry.kind][entry.status];
    if (allowedCodes === undefined) {
      violate('allowed-status', describe(entry));
      continue;
    }
    if (entry.status >= 400) {
      const body = entry.response as Record<string, unknown> | null;
      if (!entry.contentType.startsWith('application/problem+json')) violate('problem-json', `content-type ${entry.contentType}: ${describe(entry)}`);
      if (body === null || typeof body.title !== 'string' || body.status !== entry.status || typeof body.detail !== 'string' || typeof body.type !== 'string') {
        violate('problem-json', `not a problem document: ${describe(entry)}`);
      }
      if (!allowedCodes.includes(problemCode(entry) ?? '')) violate('allowed-code', describe(entry));
    }
    if (isAcknowledged(entry) && entry.intent !== 'valid') violate('accepted-invalid', describe(entry));
  }

  // 2. Acknowledged writes and audit events, one to one.
  const acknowledged = history.filter(isAcknowledged);
  const opsByKey = new Map<string, HistoryEntry[]>();
  for (const entry of acknowledged) opsByKey.set(opKey(entry), [...(opsByKey.get(opKey(entry)) ?? []), entry]);
  const eventsByKey = new Map<string, DbAuditEvent[]>();
  const audit = [...db.audit].sort((a, b) => a.seq - b.seq);
  for (const event of audit) {
    if (event.resourceType !== 'decision') continue;
    const key = eventKey(event);
    if (key === undefined) {
      if (event.action !== 'decision.ratified' && event.action !== 'decision.rejected') {
        violate('unexpected-event', `seq ${event.seq} ${event.action} on ${event.resourceId}: no operation of the history writes it`);
      }
      continue;
    }
    eventsByKey.set(key, [...(eventsByKey.get(key) ?? []), event]);
  }
  const seqOf = new Map<HistoryEntry, number>();
  const entryBySeq = new Map<number, HistoryEntry>();
  for (const [key, entries] of opsByKey) {
    const events = eventsByKey.get(key) ?? [];
    if (entries.length > 1) violate('double-acknowledgement', `${entries.length} acknowledged operations for ${key}: ${entries.map(describe).join(' | ')}`);
    if (events.length === 0) {
      violate('acknowledged-write-lost', `no audit event for ${key}: ${describe(entries[0]!)}`);
      continue;
    }
    if (events.length > 1) violate('duplicate-event', `${events.length} audit events for ${key} (seq ${events.map((e) => e.seq).join(', ')})`);
    seqOf.set(entries[0]!, events[0]!.seq);
    entryBySeq.set(events[0]!.seq, entries[0]!);
  }
  for (const [key, events] of eventsByKey) {
    if (!opsByKey.has(key)) violate('unacknowledged-write', `audit event(s) seq ${events.map((e) => e.seq).join(', ')} for ${key}, but no request was acknowledged for it`);
  }

  // 3. Commit order respects real time: a write acknowledged before another started committed first.
  const ordered = [...seqOf.entries()].sort((a, b) => a[1] - b[1]);
  let latestStart = -Infinity;
  let latestStartEntry: HistoryEntry | undefined;
  for (const [entry] of ordered) {
    if (entry.end < latestStart && latestStartEntry !== undefined) {
      violate(
        'real-time-order',
        `${describe(entry)} (seq ${seqOf.get(entry)}) ended at ${entry.end.toFixed(1)} ms, before ${describe(latestStartEntry)} ` +
          `(seq ${seqOf.get(latestStartEntry)}) started at ${latestStart.toFixed(1)} ms, yet committed after it`,
      );
    }
    if (entry.start > latestStart) {
      latestStart = entry.start;
      latestStartEntry = entry;
    }
  }

  // 4. Replay every decision's acknowledged writes in commit order through the model.
  const replays = new Map<string, Replay>();
  const eventsByDecision = new Map<string, DbAuditEvent[]>();
  for (const event of audit) {
    if (event.resourceType === 'decision') eventsByDecision.set(event.resourceId, [...(eventsByDecision.get(event.resourceId) ?? []), event]);
  }
  const createsByReference = new Map<string, HistoryEntry[]>();
  for (const entry of history) {
    if (entry.kind !== 'create' || entry.reference === undefined) continue;
    createsByReference.set(entry.reference, [...(createsByReference.get(entry.reference) ?? []), entry]);
  }
  for (const create of acknowledged.filter((e) => e.kind === 'create')) {
    const decision = create.response as DecisionJson;
    const events = eventsByDecision.get(decision.id) ?? [];
    const first = events[0];
    if (first === undefined || first.action !== 'decision.created') {
      violate('replay', `decision ${decision.id}: the first event is ${first?.action ?? 'missing'}, not decision.created`);
      continue;
    }
    const logged = (first.data as { decision?: DecisionJson }).decision;
    const tuples = (view: DecisionJson | undefined) => (view?.commitments ?? []).map((c) => `${c.id}/${c.programmeId}/${c.year}/${c.amountCents}`).join();
    if (logged === undefined || tuples(logged) !== tuples(decision) || logged.status !== 'draft' || logged.totalAmountCents !== decision.totalAmountCents) {
      violate('created-event-data', `decision ${decision.id}: decision.created data differs from the 201 answer`);
    }
    const sent = create.body.commitments as { programmeId: string; year: number; amountCents: number }[];
    const answered = decision.commitments.map((c) => `${c.programmeId}/${c.year}/${c.amountCents}`).join();
    if (sent.map((c) => `${c.programmeId}/${c.year}/${c.amountCents}`).join() !== answered) {
      violate('created-answer', `decision ${decision.id}: the 201 answer's commitments differ from the request`);
    }
    if (decision.totalAmountCents !== sent.reduce((sum, c) => sum + c.amountCents, 0)) {
      violate('created-answer', `decision ${decision.id}: totalAmountCents ${decision.totalAmountCents} is not the sum of the commitments sent`);
    }
    let state: DecisionState = {
      status: 'draft',
      totalAmountCents: decision.totalAmountCents,
      boardMeetingDate: decision.boardMeetingDate,
      requiredMunicipalityIds: [],
      votes: new Map(),
      conditions: new Map(decision.conditions.map((c) => [c.id, null])),
    };
    const replay: Replay = { decisionId: decision.id, create, states: [state], transitions: [] };
    replays.set(decision.id, replay);
    for (let i = 1; i < events.length; i++) {
      const event = events[i]!;
      const entry = entryBySeq.get(event.seq);
      if (entry === undefined) {
        // Settle events are consumed with their vote below; anything else has no acknowledged request.
        violate('replay', `decision ${decision.id}: event seq ${event.seq} ${event.action} does not follow an acknowledged vote`);
        continue;
      }
      const expected = expectOn(state, entry, centreIds);
      if (expected.status !== entry.status || expected.next === undefined) {
        violate(
          'illegal-transition',
          `decision ${decision.id}: ${describe(entry)} committed at seq ${event.seq} in state ${state.status}, where the model answers ${expected.status} ${expected.code ?? ''}`,
        );
        continue;
      }
      let next = expected.next;
      if (entry.kind === 'vote') {
        const votes = new Map(next.votes);
        votes.set(String(entry.body.municipalityId), { id: responseId(entry) ?? '?', outcome: entry.body.outcome as 'approve' | 'reject' });
        next = { ...next, votes };
        const settle = events[i + 1];
        const settled = next.status !== state.status;
        const settleAction = next.status === 'ratified' ? 'decision.ratified' : 'decision.rejected';
        if (settled) {
          if (settle === undefined || settle.action !== settleAction || settle.seq !== event.seq + 1) {
            violate('settle-event', `decision ${decision.id}: vote seq ${event.seq} makes it ${next.status}, but the next event is ${settle?.action ?? 'missing'} at seq ${settle?.seq}`);
          } else {
            const loggedStatus = (settle.data as { decision?: { status?: string } }).decision?.status;
            if (loggedStatus !== next.status) violate('settle-event', `decision ${decision.id}: ${settle.action} carries status ${loggedStatus}`);
            i++;
          }
        }
      }
      if (entry.kind === 'adopt' || entry.kind === 'withdraw') {
        const logged = (event.data as { decision?: DecisionJson }).decision;
        const answered = entry.response as DecisionJson;
        for (const [what, view] of [['event', logged], ['answer', answered]] as const) {
          if (view?.status !== next.status) violate('transition-view', `decision ${decision.id}: ${entry.kind} ${what} says ${view?.status}, the model ${next.status}`);
          if (!sameList(view?.ratification?.requiredMunicipalityIds ?? [], next.requiredMunicipalityIds)) {
            violate('transition-view', `decision ${decision.id}: ${entry.kind} ${what} has requiredMunicipalityIds ${short(view?.ratification?.requiredMunicipalityIds)}`);
          }
        }
      }
      state = next;
      replay.states.push(state);
      replay.transitions.push({ seq: event.seq, entry });
    }
  }

  // 5. Every refusal is what the model answers in a state the decision had while the request was in flight.
  let refusalsExplained = 0;
  for (const entry of history) {
    if (isAcknowledged(entry) || entry.status >= 500) continue;
    if (entry.kind === 'create') {
      const explained = (() => {
        if (entry.intent === 'invalid-body') return entry.status === 400 && problemCode(entry) === 'VALIDATION_FAILED';
        if (entry.intent === 'unknown-programme') return entry.status === 400 && problemCode(entry) === 'REFERENCED_RESOURCE_NOT_FOUND';
        if (entry.status === 409 && problemCode(entry) === 'DECISION_REFERENCE_TAKEN') {
          // Another create with this reference was acknowledged and had started before this one ended.
          return (createsByReference.get(entry.reference ?? '') ?? []).some((other) => other !== entry && isAcknowledged(other) && other.start < entry.end);
        }
        return false;
      })();
      if (explained) refusalsExplained++;
      else violate('unexplained-refusal', describe(entry));
      continue;
    }
    if (entry.intent === 'unknown-decision' || entry.intent === 'invalid-body') {
      const expected = expectOn({} as DecisionState, entry, centreIds);
      if (expected.status === entry.status && expected.code === problemCode(entry)) refusalsExplained++;
      else violate('unexplained-refusal', `${describe(entry)}; expected ${expected.status} ${expected.code}`);
      continue;
    }
    const replay = replays.get(entry.decisionId ?? '');
    if (replay === undefined) {
      violate('unexplained-refusal', `${describe(entry)}: targets a decision that was never created`);
      continue;
    }
    // States the request could have seen: at least every transition acknowledged before it started,
    // at most those whose requests started before it ended.
    let lo = 0;
    replay.transitions.forEach((transition, j) => {
      if (transition.entry.end < entry.start) lo = j + 1;
    });
    let hi = replay.transitions.findIndex((transition) => transition.entry.start > entry.end);
    if (hi === -1) hi = replay.transitions.length;
    hi = Math.max(lo, hi);
    const seen: string[] = [];
    let explained = false;
    for (let k = lo; k <= hi && !explained; k++) {
      const expected = expectOn(replay.states[k]!, entry, centreIds);
      seen.push(`${replay.states[k]!.status}:${expected.status}${expected.code ? ' ' + expected.code : ''}`);
      explained = expected.status === entry.status && (expected.code ?? undefined) === problemCode(entry);
    }
    if (explained) refusalsExplained++;
    else violate('unexplained-refusal', `${describe(entry)}; in the states it could have seen the model answers ${seen.join(' | ')}`);
  }

  // 6. The database holds exactly what the replay says: every acknowledged write, nothing else.
  const dbDecisions = new Map(db.decisions.map((d) => [d.id, d]));
  const commitmentsOf = groupBy(db.commitments, (c) => c.decisionId);
  const conditionsOf = groupBy(db.conditions, (c) => c.decisionId);
  const votesOf = groupBy(db.votes, (v) => v.decisionId);
  const finalStatuses: Record<string, number> = {};
  let maxTransitionsPerDecision = 0;
  for (const [id, replay] of replays) {
    maxTransitionsPerDecision = Math.max(maxTransitionsPerDecision, replay.transitions.length);
    const model = replay.states[replay.states.length - 1]!;
    const row = dbDecisions.get(id);
    if (row === undefined) {
      violate('acknowledged-write-lost', `decision ${id} answered 201 but is not in the database`);
      continue;
    }
    finalStatuses[row.status] = (finalStatuses[row.status] ?? 0) + 1;
    if (row.status !== model.status) violate('final-state', `decision ${id}: the database says ${row.status}, the replay of the acknowledged writes ${model.status}`);
    if (!sameList(row.requiredMunicipalityIds, model.requiredMunicipalityIds)) violate('final-state', `decision ${id}: requiredMunicipalityIds ${short(row.requiredMunicipalityIds)}`);
    const answered = (replay.create.response as DecisionJson).commitments;
    const stored = (commitmentsOf.get(id) ?? []).sort((a, b) => a.position - b.position);
    if (stored.map((c) => `${c.id}/${c.programmeId}/${c.year}/${c.amountCents}`).join() !== answered.map((c) => `${c.id}/${c.programmeId}/${c.year}/${c.amountCents}`).join()) {
      violate('commitments', `decision ${id}: stored commitments ${short(stored)} differ from the 201 answer ${short(answered)}`);
    }
    const storedSum = stored.reduce((sum, c) => sum + c.amountCents, 0);
    if (row.totalAmountCents !== model.totalAmountCents || storedSum !== row.totalAmountCents) {
      violate('commitments', `decision ${id}: total ${row.totalAmountCents}, commitments sum to ${storedSum}, acknowledged total ${model.totalAmountCents}`);
    }
    const conditions = conditionsOf.get(id) ?? [];
    if (!sameList(conditions.map((c) => c.id), [...model.conditions.keys()])) violate('conditions', `decision ${id}: stored condition ids differ from the 201 answer`);
    for (const condition of conditions) {
      const fulfilledOn = model.conditions.get(condition.id);
      if (fulfilledOn !== condition.fulfilledOn) violate('conditions', `decision ${id}: condition ${condition.id} fulfilledOn ${condition.fulfilledOn}, replay ${fulfilledOn}`);
    }
    const votes = votesOf.get(id) ?? [];
    const expectedVotes = [...model.votes.entries()].map(([municipalityId, vote]) => `${vote.id}/${municipalityId}/${vote.outcome}`);
    if (!sameList(votes.map((v) => `${v.id}/${v.municipalityId}/${v.outcome}`), expectedVotes)) {
      violate('votes', `decision ${id}: stored votes ${short(votes.map((v) => `${v.municipalityId}/${v.outcome}`))}, acknowledged ${short(expectedVotes)}`);
    }
  }
  const votesById = new Map(db.votes.map((v) => [v.id, v]));
  for (const entry of acknowledged) {
    if (entry.kind !== 'vote') continue;
    const vote = votesById.get(responseId(entry) ?? '');
    if (vote === undefined) violate('acknowledged-write-lost', `vote ${responseId(entry)} answered 201 but is not in the database`);
    else if (vote.decisionId !== entry.decisionId || vote.municipalityId !== entry.body.municipalityId || vote.outcome !== entry.body.outcome || vote.decidedOn !== entry.body.decidedOn) {
      violate('votes', `vote ${vote.id} is stored as ${short(vote)} but the 201 request was ${short(entry.body)} on ${entry.decisionId}`);
    }
  }
  for (const row of db.decisions) {
    if (!replays.has(row.id)) violate('unacknowledged-write', `decision ${row.id} (${row.reference}) is in the database, but no create for it was acknowledged`);
  }

  // 7. The contract's invariants on the raw rows, whatever the history.
  const required = new Map(db.decisions.map((d) => [d.id, d.requiredMunicipalityIds]));
  for (const row of db.decisions) {
    const votes = votesOf.get(row.id) ?? [];
    const approvals = new Set(votes.filter((v) => v.outcome === 'approve').map((v) => v.municipalityId));
    const rejections = votes.filter((v) => v.outcome === 'reject');
    if (row.status === 'ratified') {
      const missing = (required.get(row.id) ?? []).filter((m) => !approvals.has(m));
      if (missing.length > 0 || (required.get(row.id) ?? []).length === 0) violate('invariant', `decision ${row.id} is ratified without the approval of ${missing.join(', ') || 'anyone'}`);
    }
    if ((row.status === 'ratified' || row.status === 'adopted' || row.status === 'pending_ratification') && rejections.length > 0) {
      violate('invariant', `decision ${row.id} is ${row.status} with ${rejections.length} rejection(s)`);
    }
    if (row.status === 'rejected' && rejections.length !== 1) violate('invariant', `decision ${row.id} is rejected with ${rejections.length} rejections`);
    const perMunicipality = groupBy(votes, (v) => v.municipalityId);
    for (const [municipalityId, own] of perMunicipality) {
      if (own.length > 1) violate('invariant', `municipality ${municipalityId} voted ${own.length} times on decision ${row.id}`);
      if (!(required.get(row.id) ?? []).includes(municipalityId)) violate('invariant', `decision ${row.id} has a vote of ${municipalityId}, which is not required`);
    }
    const stored = commitmentsOf.get(row.id) ?? [];
    if (stored.length === 0) violate('invariant', `decision ${row.id} has no commitments`);
  }

  // 8. Funding: the API, the SQL aggregate and the replay agree per programme and year.
  const modelFunding = new Map<string, FundingYear>();
  for (const replay of replays.values()) {
    const status = replay.states[replay.states.length - 1]!.status;
    const binding = status === 'adopted' || status === 'ratified';
    const pending = status === 'pending_ratification';
    if (!binding && !pending) continue;
    for (const c of (replay.create.response as DecisionJson).commitments) {
      const key = `${c.programmeId}/${c.year}`;
      const year = modelFunding.get(key) ?? { year: c.year, bindingCents: 0, pendingCents: 0 };
      if (binding) year.bindingCents += c.amountCents;
      else year.pendingCents += c.amountCents;
      modelFunding.set(key, year);
    }
  }
  const render = (years: readonly FundingYear[]) =>
    years
      .filter((y) => y.bindingCents !== 0 || y.pendingCents !== 0)
      .sort((a, b) => a.year - b.year)
      .map((y) => `${y.year}:${y.bindingCents}/${y.pendingCents}`)
      .join(' ');
  for (const programmeId of input.programmeIds) {
    const fromSql = render(input.sqlFunding.filter((row) => row.programmeId === programmeId));
    const fromModel = render([...modelFunding.entries()].filter(([key]) => key.startsWith(`${programmeId}/`)).map(([, y]) => y));
    if (fromSql !== fromModel) violate('funding', `programme ${programmeId}: SQL says ${fromSql}, the replay of acknowledged writes ${fromModel}`);
    for (const answer of input.funding.filter((f) => f.programmeId === programmeId)) {
      const years = answer.body.years ?? [];
      if (answer.status !== 200) {
        violate('funding', `GET funding of ${programmeId} via app ${answer.app} answered ${answer.status}`);
        continue;
      }
      if (render(years) !== fromSql) violate('funding', `programme ${programmeId} via app ${answer.app}: the API says ${render(years)}, SQL ${fromSql}`);
      const totalBinding = years.reduce((sum, y) => sum + y.bindingCents, 0);
      const totalPending = years.reduce((sum, y) => sum + y.pendingCents, 0);
      if (answer.body.totalBindingCents !== totalBinding || answer.body.totalPendingCents !== totalPending) {
        violate('funding', `programme ${programmeId} via app ${answer.app}: totals ${answer.body.totalBindingCents}/${answer.body.totalPendingCents} are not the sums of the years`);
      }
    }
  }

  // 9. The audit chain verifies; one decision.created per created decision, one vote.cast per accepted vote.
  for (const answer of input.verify) {
    if (answer.status !== 200 || answer.body.valid !== true || answer.body.count !== db.audit.length) {
      violate('audit-chain', `verify via app ${answer.app}: ${answer.status} ${short(answer.body)} (${db.audit.length} events stored)`);
    }
  }
  const created = countBy(audit.filter((e) => e.action === 'decision.created'), (e) => e.resourceId);
  for (const id of replays.keys()) if (created.get(id) !== 1) violate('audit-created', `decision ${id} has ${created.get(id) ?? 0} decision.created events`);
  for (const [id, n] of created) if (!replays.has(id)) violate('audit-created', `${n} decision.created event(s) for ${id}, which no acknowledged create made`);
  const cast = countBy(audit.filter((e) => e.action === 'vote.cast'), (e) => (e.data as { vote?: { id?: string } }).vote?.id ?? '?');
  const acceptedVotes = acknowledged.filter((e) => e.kind === 'vote').map((e) => responseId(e) ?? '?');
  for (const id of acceptedVotes) if (cast.get(id) !== 1) violate('audit-vote', `vote ${id} has ${cast.get(id) ?? 0} vote.cast events`);
  if ([...cast.values()].reduce((a, b) => a + b, 0) !== acceptedVotes.length) {
    violate('audit-vote', `${[...cast.values()].reduce((a, b) => a + b, 0)} vote.cast events for ${acceptedVotes.length} accepted votes`);
  }

  return {
    violations,
    stats: {
      operations: history.length,
      byKind,
      acknowledged: acknowledged.length,
      refusalsExplained,
      finalStatuses,
      auditEvents: db.audit.length,
      maxTransitionsPerDecision,
    },
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return groups;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
