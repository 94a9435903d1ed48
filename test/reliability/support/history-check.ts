import {
  ALLOWED,
  draftState,
  expectOn,
  isAcknowledged,
  responseId,
  type DecisionJson,
  type DecisionState,
  type HistoryEntry,
  type World,
} from './history-model.js';
import { checkMoney, type DbSnapshot, type FundingAnswer, type SqlFundingRow } from './history-money.js';

export type { DbSnapshot, FundingAnswer, SqlFundingRow } from './history-money.js';

/**
 * The checker of a recorded, concurrent history of HTTP operations (Jepsen-style). The audit
 * trail's `seq` is the service's own commit order: every acknowledged write is matched to exactly
 * one audit event, and the acknowledged writes are replayed in `seq` order through the model of
 * the whole register (history-model.ts), each legal where it landed, followed by exactly the
 * events the model says it causes (a ratification, an amendment superseding the decision it
 * amends). That order must respect real time, and every refused request must be the model's
 * answer in some state the register was in while the request was in flight. Then the database's
 * end state must equal the replay, the contract's invariants must hold on the raw rows, the money
 * must add up (history-money.ts) and the audit chain must verify.
 *
 * Pure: no I/O. The test gathers the history and the database snapshot and hands both in.
 */
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

/** A decision's states over the replay: `states[k]` holds from commit `seqs[k]` on. */
export interface Timeline {
  create: HistoryEntry;
  seqs: number[];
  states: DecisionState[];
}

interface AuditEvent {
  seq: number;
  action: string;
  resourceType: string;
  resourceId: string;
  data: unknown;
}

const short = (value: unknown) => JSON.stringify(value)?.slice(0, 300);
export const describe = (e: HistoryEntry) => `#${e.index} ${e.kind}(${e.intent}) ${e.url} ${short(e.body)} -> ${e.status} ${short(e.response)}`;

function problemCode(entry: HistoryEntry): string | undefined {
  const code = (entry.response as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The key by which an acknowledged operation and the audit event it wrote find each other. */
function opKey(entry: HistoryEntry): string {
  switch (entry.kind) {
    case 'create':
    case 'amend':
      return `created:${responseId(entry)}`;
    case 'adopt':
      return `adopted:${entry.decisionId}`;
    case 'withdraw':
      return `withdrawn:${entry.decisionId}`;
    case 'vote':
      return `vote:${responseId(entry)}`;
    case 'fulfil':
      return `fulfilled:${entry.conditionId}`;
    case 'condition':
      return `condition-added:${responseId(entry)}`;
    case 'disburse':
      return `disbursed:${responseId(entry)}`;
    case 'settle':
      return `settled:${entry.decisionId}`;
  }
}

/** Events that follow an operation's own event (consumed with it in the replay) have no key. */
function eventKey(event: AuditEvent): string | undefined {
  const data = event.data as { vote?: { id?: string }; condition?: { id?: string }; disbursement?: { id?: string } } | null;
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
    case 'condition.added':
      return `condition-added:${data?.condition?.id}`;
    case 'disbursement.recorded':
      return `disbursed:${data?.disbursement?.id}`;
    case 'decision.settled':
      return `settled:${event.resourceId}`;
    default:
      return undefined;
  }
}
const FOLLOWING = new Set(['decision.ratified', 'decision.rejected', 'decision.amended', 'decision.superseded']);

const sameList = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();

/** The state of a decision at commit `seq` (after it), or undefined when it did not exist yet. */
export function stateAt(timeline: Timeline | undefined, seq: number): DecisionState | undefined {
  if (timeline === undefined) return undefined;
  let lo = 0;
  let hi = timeline.seqs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (timeline.seqs[mid]! <= seq) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found === -1 ? undefined : timeline.states[found];
}

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
  const eventsByKey = new Map<string, AuditEvent[]>();
  const audit = [...db.audit].sort((a, b) => a.seq - b.seq).filter((e) => e.resourceType === 'decision');
  for (const event of audit) {
    const key = eventKey(event);
    if (key === undefined) {
      if (!FOLLOWING.has(event.action)) violate('unexpected-event', `seq ${event.seq} ${event.action} on ${event.resourceId}: no operation of the history writes it`);
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

  // 4. Replay the acknowledged writes of the whole register in commit order through the model.
  const timelines = new Map<string, Timeline>();
  const amendments = new Map<string, string[]>();
  const current: World = {
    state: (id) => timelines.get(id)?.states.at(-1),
    amendmentsOf: (id) => amendments.get(id) ?? [],
  };
  let awaiting: { action: string; decisionId: string; after: number }[] = [];
  for (const event of audit) {
    if (awaiting.length > 0) {
      const [next, ...rest] = awaiting;
      if (event.action === next!.action && event.resourceId === next!.decisionId && event.seq === next!.after + 1) {
        const logged = (event.data as { decision?: DecisionJson }).decision;
        const model = current.state(event.resourceId);
        if (logged?.status !== model?.status) violate('following-event', `seq ${event.seq} ${event.action} carries status ${logged?.status}, the model ${model?.status}`);
        awaiting = rest.map((r) => ({ ...r, after: event.seq }));
        continue;
      }
      violate('following-event', `after seq ${next!.after} the model expects ${next!.action} on ${next!.decisionId}, the trail has seq ${event.seq} ${event.action} on ${event.resourceId}`);
      awaiting = [];
    }
    if (FOLLOWING.has(event.action)) {
      violate('replay', `seq ${event.seq} ${event.action} on ${event.resourceId} follows no acknowledged operation that causes it`);
      continue;
    }
    const entry = entryBySeq.get(event.seq);
    if (entry === undefined) continue; // reported in step 2
    if (entry.kind === 'create' || (entry.kind === 'amend' && event.action === 'decision.created')) {
      if (entry.kind === 'amend') {
        const expected = expectOn(current, entry, centreIds);
        if (expected.status !== 201) {
          violate('illegal-transition', `${describe(entry)} committed at seq ${event.seq}, where the model answers ${expected.status} ${expected.code ?? ''}`);
          continue;
        }
      }
      const decision = entry.response as DecisionJson;
      const logged = (event.data as { decision?: DecisionJson }).decision;
      checkCreated(entry, decision, logged, violate);
      timelines.set(decision.id, { create: entry, seqs: [event.seq], states: [draftState(decision)] });
      if (decision.amends !== null) amendments.set(decision.amends, [...(amendments.get(decision.amends) ?? []), decision.id]);
      continue;
    }
    const expected = expectOn(current, entry, centreIds);
    if (expected.status !== entry.status || expected.changes === undefined) {
      const status = current.state(entry.decisionId ?? '')?.status;
      violate('illegal-transition', `${describe(entry)} committed at seq ${event.seq} in state ${status}, where the model answers ${expected.status} ${expected.code ?? ''}`);
      continue;
    }
    for (const [id, state] of expected.changes) {
      const timeline = timelines.get(id)!;
      timeline.seqs.push(event.seq);
      timeline.states.push(state);
    }
    awaiting = (expected.follow ?? []).map((f) => ({ ...f, after: event.seq }));
    if (entry.kind === 'adopt' || entry.kind === 'withdraw' || entry.kind === 'settle') {
      const model = current.state(entry.decisionId!)!;
      for (const [what, view] of [['event', (event.data as { decision?: DecisionJson }).decision], ['answer', entry.response as DecisionJson]] as const) {
        if (view?.status !== model.status) violate('transition-view', `decision ${entry.decisionId}: ${entry.kind} ${what} says ${view?.status}, the model ${model.status}`);
        if (!sameList(view?.ratification?.requiredMunicipalityIds ?? [], model.requiredMunicipalityIds)) {
          violate('transition-view', `decision ${entry.decisionId}: ${entry.kind} ${what} has requiredMunicipalityIds ${short(view?.ratification?.requiredMunicipalityIds)}`);
        }
        const money = (view?.commitments ?? []).map((c) => `${c.id}:${c.finalAmountCents}/${c.disbursedCents}`).join();
        if (money !== model.commitments.map((c) => `${c.id}:${c.finalAmountCents}/${c.disbursedCents}`).join()) {
          violate('transition-view', `decision ${entry.decisionId}: ${entry.kind} ${what} shows commitments ${money}`);
        }
      }
    }
  }
  if (awaiting.length > 0) violate('following-event', `the trail ends before ${awaiting[0]!.action} on ${awaiting[0]!.decisionId}`);

  // 5. Every refusal is what the model answers in a state the register had while the request was in flight.
  const refusalsExplained = explainRefusals(history, seqOf, timelines, amendments, centreIds, violate);

  // 6.-8. The end state, the invariants and the money.
  const { finalStatuses, maxTransitionsPerDecision } = checkMoney({ ...input, acknowledged, timelines, violate });

  // 9. The audit chain verifies; one decision.created per created decision, one vote.cast per accepted vote.
  for (const answer of input.verify) {
    if (answer.status !== 200 || answer.body.valid !== true || answer.body.count !== db.audit.length) {
      violate('audit-chain', `verify via app ${answer.app}: ${answer.status} ${short(answer.body)} (${db.audit.length} events stored)`);
    }
  }
  const created = countBy(audit.filter((e) => e.action === 'decision.created'), (e) => e.resourceId);
  for (const id of timelines.keys()) if (created.get(id) !== 1) violate('audit-created', `decision ${id} has ${created.get(id) ?? 0} decision.created events`);
  for (const [id, n] of created) if (!timelines.has(id)) violate('audit-created', `${n} decision.created event(s) for ${id}, which no acknowledged create made`);
  const cast = countBy(audit.filter((e) => e.action === 'vote.cast'), (e) => (e.data as { vote?: { id?: string } }).vote?.id ?? '?');
  const acceptedVotes = acknowledged.filter((e) => e.kind === 'vote').map((e) => responseId(e) ?? '?');
  for (const id of acceptedVotes) if (cast.get(id) !== 1) violate('audit-vote', `vote ${id} has ${cast.get(id) ?? 0} vote.cast events`);
  if ([...cast.values()].reduce((a, b) => a + b, 0) !== acceptedVotes.length) {
    violate('audit-vote', `${[...cast.values()].reduce((a, b) => a + b, 0)} vote.cast events for ${acceptedVotes.length} accepted votes`);
  }

  return {
    violations,
    stats: { operations: history.length, byKind, acknowledged: acknowledged.length, refusalsExplained, finalStatuses, auditEvents: db.audit.length, maxTransitionsPerDecision },
  };
}

function checkCreated(entry: HistoryEntry, decision: DecisionJson, logged: DecisionJson | undefined, violate: (rule: string, detail: string) => void): void {
  const tuples = (view: DecisionJson | undefined) => (view?.commitments ?? []).map((c) => `${c.id}/${c.programmeId}/${c.year}/${c.amountCents}`).join();
  if (logged === undefined || tuples(logged) !== tuples(decision) || logged.status !== 'draft' || logged.totalAmountCents !== decision.totalAmountCents) {
    violate('created-event-data', `decision ${decision.id}: decision.created data differs from the 201 answer`);
  }
  const sent = entry.body.commitments as { programmeId: string; year: number; amountCents: number }[];
  if (sent.map((c) => `${c.programmeId}/${c.year}/${c.amountCents}`).join() !== decision.commitments.map((c) => `${c.programmeId}/${c.year}/${c.amountCents}`).join()) {
    violate('created-answer', `decision ${decision.id}: the 201 answer's commitments differ from the request`);
  }
  if (decision.totalAmountCents !== sent.reduce((sum, c) => sum + c.amountCents, 0)) {
    violate('created-answer', `decision ${decision.id}: totalAmountCents ${decision.totalAmountCents} is not the sum of the commitments sent`);
  }
  const amends = entry.kind === 'amend' ? (entry.decisionId ?? null) : null;
  if (decision.amends !== amends) violate('created-answer', `decision ${decision.id}: amends ${decision.amends}, expected ${amends}`);
}

/**
 * Refusals: the states a request could have seen lie between the commit of the last write
 * acknowledged before it started and the commit before the first write that started after it
 * ended. The model must give the refusal in the state of the register at one of those commits;
 * only commits on the decision itself, the decision it amends and its amendments are tried.
 */
function explainRefusals(
  history: readonly HistoryEntry[],
  seqOf: ReadonlyMap<HistoryEntry, number>,
  timelines: ReadonlyMap<string, Timeline>,
  amendments: ReadonlyMap<string, string[]>,
  centreIds: readonly string[],
  violate: (rule: string, detail: string) => void,
): number {
  const byEnd = [...seqOf.entries()].sort((a, b) => a[0].end - b[0].end);
  const maxSeqByEnd: number[] = [];
  byEnd.forEach(([, seq], i) => maxSeqByEnd.push(Math.max(seq, maxSeqByEnd[i - 1] ?? 0)));
  const byStart = [...seqOf.entries()].sort((a, b) => a[0].start - b[0].start);
  const minSeqByStart: number[] = new Array(byStart.length);
  for (let i = byStart.length - 1; i >= 0; i--) minSeqByStart[i] = Math.min(byStart[i]![1], minSeqByStart[i + 1] ?? Infinity);
  const lastIndex = (items: readonly [HistoryEntry, number][], accept: (e: HistoryEntry) => boolean) => {
    let lo = 0;
    let hi = items.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (accept(items[mid]![0])) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const createsByReference = new Map<string, HistoryEntry[]>();
  for (const entry of history) {
    if ((entry.kind !== 'create' && entry.kind !== 'amend') || entry.reference === undefined) continue;
    createsByReference.set(entry.reference, [...(createsByReference.get(entry.reference) ?? []), entry]);
  }
  const takenBefore = (entry: HistoryEntry) =>
    (createsByReference.get(entry.reference ?? '') ?? []).some((other) => other !== entry && isAcknowledged(other) && other.start < entry.end);

  let explained = 0;
  for (const entry of history) {
    if (isAcknowledged(entry) || entry.status >= 500) continue;
    const code = problemCode(entry);
    if (entry.kind === 'create') {
      const ok =
        (entry.intent === 'invalid-body' && entry.status === 400 && code === 'VALIDATION_FAILED') ||
        (entry.intent === 'unknown-programme' && entry.status === 400 && code === 'REFERENCED_RESOURCE_NOT_FOUND') ||
        (entry.status === 409 && code === 'DECISION_REFERENCE_TAKEN' && takenBefore(entry));
      if (ok) explained++;
      else violate('unexplained-refusal', describe(entry));
      continue;
    }
    const empty: World = { state: () => undefined, amendmentsOf: () => [] };
    if (entry.intent === 'unknown-decision' || entry.intent === 'invalid-body') {
      const expected = expectOn(empty, entry, centreIds);
      if (expected.status === entry.status && expected.code === code) explained++;
      else violate('unexplained-refusal', `${describe(entry)}; expected ${expected.status} ${expected.code}`);
      continue;
    }
    const id = entry.decisionId ?? '';
    const own = timelines.get(id);
    if (own === undefined) {
      violate('unexplained-refusal', `${describe(entry)}: targets a decision that was never created`);
      continue;
    }
    const i = lastIndex(byEnd, (e) => e.end < entry.start);
    const lo = i === -1 ? 0 : maxSeqByEnd[i]!;
    const j = lastIndex(byStart, (e) => e.start <= entry.end);
    const hi = j + 1 < byStart.length ? minSeqByStart[j + 1]! - 1 : Infinity;
    const amended = own.states[0]!.amends;
    const related = [id, ...(amended === null ? [] : [amended]), ...(amendments.get(id) ?? [])];
    const moments = new Set([Math.max(lo, own.seqs[0]!)]);
    for (const r of related) for (const seq of timelines.get(r)?.seqs ?? []) if (seq > lo && seq <= hi) moments.add(seq);
    const seen: string[] = [];
    let ok = false;
    for (const moment of [...moments].sort((a, b) => a - b)) {
      const world: World = {
        state: (x) => stateAt(timelines.get(x), moment),
        amendmentsOf: (x) => (amendments.get(x) ?? []).filter((a) => stateAt(timelines.get(a), moment) !== undefined),
      };
      const expected = expectOn(world, entry, centreIds);
      const matches = expected.status === entry.status && expected.code === code;
      // An amendment the state allows can still fail on its body, as a create would.
      const amendable = entry.kind === 'amend' && expected.status === 201;
      const referenceTaken = amendable && entry.status === 409 && code === 'DECISION_REFERENCE_TAKEN' && takenBefore(entry);
      const unknownProgramme = amendable && entry.intent === 'unknown-programme' && entry.status === 400 && code === 'REFERENCED_RESOURCE_NOT_FOUND';
      seen.push(`${world.state(id)?.status}:${expected.status}${expected.code ? ' ' + expected.code : ''}`);
      if (matches || referenceTaken || unknownProgramme) {
        ok = true;
        break;
      }
    }
    if (ok) explained++;
    else violate('unexplained-refusal', `${describe(entry)}; in the states it could have seen the model answers ${seen.join(' | ')}`);
  }
  return explained;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
