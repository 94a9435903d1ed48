import { BINDING, responseId, type DecisionState, type HistoryEntry } from './history-model.js';
import type { Timeline } from './history-check.js';

/**
 * The end of the history check: the database holds exactly what the replay of the acknowledged
 * writes says, the contract's invariants hold on the raw rows whatever the history, and the money
 * adds up: binding money per programme and year is the sum over lineages (a decision and its
 * amendments) of the one decision of each that binds, at final amounts once settled; no
 * superseded decision binds or is paid after it was superseded; nothing is ever paid beyond what
 * binds; what was paid under a lineage is what its binding decision shows as disbursed; and the
 * API, an independent SQL aggregate and the replay agree on every figure.
 */
export interface DbDecision {
  id: string;
  reference: string;
  status: string;
  totalAmountCents: number;
  requiredMunicipalityIds: string[];
  amends: string | null;
}
export interface DbCommitment {
  id: string;
  decisionId: string;
  position: number;
  programmeId: string;
  year: number;
  amountCents: number;
  finalAmountCents: number | null;
  disbursedCents: number;
}
export interface DbCondition {
  id: string;
  decisionId: string;
  position: number;
  fulfilledOn: string | null;
  evidence: string | null;
  blocksDisbursement: boolean;
}
export interface DbVote {
  id: string;
  decisionId: string;
  municipalityId: string;
  outcome: string;
  decidedOn: string;
}
export interface DbDisbursement {
  id: string;
  decisionId: string;
  commitmentId: string;
  amountCents: number;
  paidOn: string;
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
  disbursements: DbDisbursement[];
  audit: DbAuditEvent[];
}

export interface FundingYear {
  year: number;
  bindingCents: number;
  pendingCents: number;
  disbursedCents: number;
  releasedCents: number;
  remainingCents?: number;
}
export interface FundingAnswer {
  programmeId: string;
  app: number;
  /** `programme`: GET /programmes/{id}/funding; `funding`: its object in GET /funding. */
  via: 'programme' | 'funding';
  status: number;
  body: { programmeId?: string; years?: FundingYear[]; totalBindingCents?: number; totalPendingCents?: number; totalDisbursedCents?: number };
}
export interface SqlFundingRow extends FundingYear {
  programmeId: string;
}

export interface MoneyInput {
  db: DbSnapshot;
  programmeIds: readonly string[];
  funding: readonly FundingAnswer[];
  sqlFunding: readonly SqlFundingRow[];
  acknowledged: readonly HistoryEntry[];
  timelines: ReadonlyMap<string, Timeline>;
  violate: (rule: string, detail: string) => void;
}

const short = (value: unknown) => JSON.stringify(value)?.slice(0, 300);
const sameList = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();
const committed = (c: { amountCents: number; finalAmountCents: number | null }) => c.finalAmountCents ?? c.amountCents;
const py = (c: { programmeId: string; year: number }) => `${c.programmeId}/${c.year}`;

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

function add(map: Map<string, FundingYear>, key: string, year: number, field: keyof Omit<FundingYear, 'year'>, cents: number): void {
  const row = map.get(key) ?? { year, bindingCents: 0, pendingCents: 0, disbursedCents: 0, releasedCents: 0 };
  row[field] = (row[field] ?? 0) + cents;
  map.set(key, row);
}

const render = (years: readonly FundingYear[]) =>
  years
    .filter((y) => y.bindingCents !== 0 || y.pendingCents !== 0 || y.disbursedCents !== 0 || y.releasedCents !== 0)
    .sort((a, b) => a.year - b.year)
    .map((y) => `${y.year}:${y.bindingCents}/${y.pendingCents}/${y.disbursedCents}/${y.releasedCents}`)
    .join(' ');

export function checkMoney(input: MoneyInput): { finalStatuses: Record<string, number>; maxTransitionsPerDecision: number } {
  const { db, timelines, violate, acknowledged } = input;
  const finalOf = (id: string): DecisionState | undefined => timelines.get(id)?.states.at(-1);

  // 6. The database holds exactly what the replay says: every acknowledged write, nothing else.
  const dbDecisions = new Map(db.decisions.map((d) => [d.id, d]));
  const commitmentsOf = groupBy(db.commitments, (c) => c.decisionId);
  const conditionsOf = groupBy(db.conditions, (c) => c.decisionId);
  const votesOf = groupBy(db.votes, (v) => v.decisionId);
  const finalStatuses: Record<string, number> = {};
  let maxTransitionsPerDecision = 0;
  for (const [id, timeline] of timelines) {
    maxTransitionsPerDecision = Math.max(maxTransitionsPerDecision, timeline.states.length - 1);
    const model = timeline.states.at(-1)!;
    const row = dbDecisions.get(id);
    if (row === undefined) {
      violate('acknowledged-write-lost', `decision ${id} answered 201 but is not in the database`);
      continue;
    }
    finalStatuses[row.status] = (finalStatuses[row.status] ?? 0) + 1;
    if (row.status !== model.status) violate('final-state', `decision ${id}: the database says ${row.status}, the replay of the acknowledged writes ${model.status}`);
    if (row.amends !== model.amends) violate('final-state', `decision ${id}: amends ${row.amends}, the replay ${model.amends}`);
    if (!sameList(row.requiredMunicipalityIds, model.requiredMunicipalityIds)) violate('final-state', `decision ${id}: requiredMunicipalityIds ${short(row.requiredMunicipalityIds)}`);
    const stored = (commitmentsOf.get(id) ?? []).sort((a, b) => a.position - b.position);
    const tuple = (c: { id: string; programmeId: string; year: number; amountCents: number; finalAmountCents: number | null; disbursedCents: number }) =>
      `${c.id}/${c.programmeId}/${c.year}/${c.amountCents}/${c.finalAmountCents}/${c.disbursedCents}`;
    if (stored.map(tuple).join() !== model.commitments.map(tuple).join()) {
      violate('commitments', `decision ${id}: stored commitments ${stored.map(tuple).join()} differ from the replay ${model.commitments.map(tuple).join()}`);
    }
    const storedSum = stored.reduce((sum, c) => sum + c.amountCents, 0);
    if (row.totalAmountCents !== model.totalAmountCents || storedSum !== row.totalAmountCents) {
      violate('commitments', `decision ${id}: total ${row.totalAmountCents}, commitments sum to ${storedSum}, acknowledged total ${model.totalAmountCents}`);
    }
    const conditions = conditionsOf.get(id) ?? [];
    if (!sameList(conditions.map((c) => c.id), [...model.conditions.keys()])) violate('conditions', `decision ${id}: stored condition ids differ from the acknowledged ones`);
    for (const condition of conditions) {
      const expected = model.conditions.get(condition.id);
      if (expected?.fulfilledOn !== condition.fulfilledOn || expected?.blocks !== condition.blocksDisbursement) {
        violate('conditions', `decision ${id}: condition ${condition.id} is ${condition.fulfilledOn}/${condition.blocksDisbursement}, replay ${short(expected)}`);
      }
    }
    const votes = votesOf.get(id) ?? [];
    const expectedVotes = [...model.votes.entries()].map(([municipalityId, vote]) => `${vote.id}/${municipalityId}/${vote.outcome}`);
    if (!sameList(votes.map((v) => `${v.id}/${v.municipalityId}/${v.outcome}`), expectedVotes)) {
      violate('votes', `decision ${id}: stored votes ${short(votes.map((v) => `${v.municipalityId}/${v.outcome}`))}, acknowledged ${short(expectedVotes)}`);
    }
  }
  const votesById = new Map(db.votes.map((v) => [v.id, v]));
  const paymentsById = new Map(db.disbursements.map((d) => [d.id, d]));
  const acknowledgedPayments = new Set<string>();
  for (const entry of acknowledged) {
    if (entry.kind === 'vote') {
      const vote = votesById.get(responseId(entry) ?? '');
      if (vote === undefined) violate('acknowledged-write-lost', `vote ${responseId(entry)} answered 201 but is not in the database`);
      else if (vote.decisionId !== entry.decisionId || vote.municipalityId !== entry.body.municipalityId || vote.outcome !== entry.body.outcome || vote.decidedOn !== entry.body.decidedOn) {
        violate('votes', `vote ${vote.id} is stored as ${short(vote)} but the 201 request was ${short(entry.body)} on ${entry.decisionId}`);
      }
    }
    if (entry.kind === 'disburse') {
      const id = responseId(entry) ?? '';
      acknowledgedPayments.add(id);
      const row = paymentsById.get(id);
      if (row === undefined) violate('acknowledged-write-lost', `payment ${id} answered 201 but is not in the database`);
      else if (row.decisionId !== entry.decisionId || row.commitmentId !== entry.body.commitmentId || row.amountCents !== entry.body.amountCents || row.paidOn !== entry.body.paidOn) {
        violate('payments', `payment ${id} is stored as ${short(row)} but the 201 request was ${short(entry.body)} on ${entry.decisionId}`);
      }
    }
  }
  for (const row of db.disbursements) if (!acknowledgedPayments.has(row.id)) violate('unacknowledged-write', `payment ${row.id} is in the database, but no payment was acknowledged for it`);
  for (const row of db.decisions) {
    if (!timelines.has(row.id)) violate('unacknowledged-write', `decision ${row.id} (${row.reference}) is in the database, but no create for it was acknowledged`);
  }

  // 7. The contract's invariants on the raw rows, whatever the history.
  const lineageBinding = checkInvariants(db, commitmentsOf, votesOf, violate);
  for (const row of input.sqlFunding) {
    const k = py(row);
    if ((lineageBinding.get(k) ?? 0) !== row.bindingCents) {
      violate('lineage', `${k}: SQL says ${row.bindingCents} binding, the one binding decision of each lineage commits ${lineageBinding.get(k) ?? 0}`);
    }
  }
  for (const [k, cents] of lineageBinding) {
    if (cents !== 0 && !input.sqlFunding.some((row) => py(row) === k)) violate('lineage', `${k}: lineages bind ${cents}, SQL has no row`);
  }

  // 8. Funding: the API, the SQL aggregate and the replay agree per programme and year.
  const model = new Map<string, FundingYear>();
  for (const timeline of timelines.values()) {
    const state = timeline.states.at(-1)!;
    if (BINDING.includes(state.status)) for (const c of state.commitments) add(model, py(c), c.year, 'bindingCents', committed(c));
    if (state.status === 'settled') for (const c of state.commitments) add(model, py(c), c.year, 'releasedCents', c.amountCents - committed(c));
    if (state.status === 'pending_ratification') {
      const amended = state.amends === null ? undefined : finalOf(state.amends);
      const before = new Map<string, number>();
      for (const c of amended?.commitments ?? []) before.set(py(c), (before.get(py(c)) ?? 0) + committed(c));
      const after = new Map<string, { year: number; cents: number }>();
      for (const c of state.commitments) after.set(py(c), { year: c.year, cents: (after.get(py(c))?.cents ?? 0) + c.amountCents });
      for (const [k, { year, cents }] of after) add(model, k, year, 'pendingCents', Math.max(0, cents - (before.get(k) ?? 0)));
    }
  }
  const commitmentById = new Map(db.commitments.map((c) => [c.id, c]));
  for (const entry of acknowledged) {
    if (entry.kind !== 'disburse') continue;
    const c = commitmentById.get(String(entry.body.commitmentId));
    if (c !== undefined) add(model, py(c), c.year, 'disbursedCents', Number(entry.body.amountCents));
  }
  for (const programmeId of input.programmeIds) {
    const fromSql = render(input.sqlFunding.filter((row) => row.programmeId === programmeId));
    const fromModel = render([...model.entries()].filter(([k]) => k.startsWith(`${programmeId}/`)).map(([, y]) => y));
    if (fromSql !== fromModel) violate('funding', `programme ${programmeId}: SQL says ${fromSql}, the replay of acknowledged writes ${fromModel}`);
    for (const answer of input.funding.filter((f) => f.programmeId === programmeId)) {
      const years = answer.body.years ?? [];
      if (answer.status !== 200) {
        violate('funding', `funding of ${programmeId} via app ${answer.app} (${answer.via}) answered ${answer.status}`);
        continue;
      }
      if (render(years) !== fromSql) violate('funding', `programme ${programmeId} via app ${answer.app} (${answer.via}): the API says ${render(years)}, SQL ${fromSql}`);
      for (const y of years) if (y.remainingCents !== y.bindingCents - y.disbursedCents) violate('funding', `programme ${programmeId} ${y.year}: remaining ${y.remainingCents} is not binding - disbursed`);
      const totals = (f: (y: FundingYear) => number) => years.reduce((sum, y) => sum + f(y), 0);
      if (answer.body.totalBindingCents !== totals((y) => y.bindingCents) || answer.body.totalPendingCents !== totals((y) => y.pendingCents) || answer.body.totalDisbursedCents !== totals((y) => y.disbursedCents)) {
        violate('funding', `programme ${programmeId} via app ${answer.app} (${answer.via}): totals are not the sums of the years`);
      }
    }
  }
  return { finalStatuses, maxTransitionsPerDecision };
}

/**
 * Invariants that hold on the raw rows whatever the history (and whatever the checker's model
 * says). Returns the binding money per programme and year as the lineages give it: of each, the
 * one decision that binds, at its final amounts once settled.
 */
function checkInvariants(
  db: DbSnapshot,
  commitmentsOf: ReadonlyMap<string, DbCommitment[]>,
  votesOf: ReadonlyMap<string, DbVote[]>,
  violate: (rule: string, detail: string) => void,
): Map<string, number> {
  const byId = new Map(db.decisions.map((d) => [d.id, d]));
  const amendmentsOf = groupBy(db.decisions.filter((d) => d.amends !== null), (d) => d.amends!);
  const binding = (status: string) => (BINDING as readonly string[]).includes(status);
  for (const row of db.decisions) {
    const votes = votesOf.get(row.id) ?? [];
    const approvals = new Set(votes.filter((v) => v.outcome === 'approve').map((v) => v.municipalityId));
    const rejections = votes.filter((v) => v.outcome === 'reject');
    if (row.status === 'ratified') {
      const missing = row.requiredMunicipalityIds.filter((m) => !approvals.has(m));
      if (missing.length > 0 || row.requiredMunicipalityIds.length === 0) violate('invariant', `decision ${row.id} is ratified without the approval of ${missing.join(', ') || 'anyone'}`);
    }
    if (['ratified', 'adopted', 'pending_ratification', 'settled', 'superseded'].includes(row.status) && rejections.length > 0) {
      violate('invariant', `decision ${row.id} is ${row.status} with ${rejections.length} rejection(s)`);
    }
    if (row.status === 'rejected' && rejections.length !== 1) violate('invariant', `decision ${row.id} is rejected with ${rejections.length} rejections`);
    for (const [municipalityId, own] of groupBy(votes, (v) => v.municipalityId)) {
      if (own.length > 1) violate('invariant', `municipality ${municipalityId} voted ${own.length} times on decision ${row.id}`);
      if (!row.requiredMunicipalityIds.includes(municipalityId)) violate('invariant', `decision ${row.id} has a vote of ${municipalityId}, which is not required`);
    }
    const commitments = commitmentsOf.get(row.id) ?? [];
    if (commitments.length === 0) violate('invariant', `decision ${row.id} has no commitments`);
    for (const c of commitments) {
      if (c.disbursedCents < 0 || c.disbursedCents > committed(c)) violate('money', `commitment ${c.id} of ${row.id} is paid ${c.disbursedCents} of ${committed(c)}`);
      if ((c.finalAmountCents !== null) !== (row.status === 'settled')) violate('money', `commitment ${c.id} of ${row.status} decision ${row.id} has final amount ${c.finalAmountCents}`);
    }
    const live = (amendmentsOf.get(row.id) ?? []).filter((a) => a.status === 'draft' || a.status === 'pending_ratification');
    if (live.length > 1) violate('amendments', `decision ${row.id} has ${live.length} live amendments`);
    if (row.status === 'superseded' && !(amendmentsOf.get(row.id) ?? []).some((a) => binding(a.status) || a.status === 'superseded')) {
      violate('amendments', `decision ${row.id} is superseded, but no amendment of it binds or ever bound`);
    }
    if (row.amends !== null && byId.get(row.amends) === undefined) violate('amendments', `decision ${row.id} amends ${row.amends}, which does not exist`);
  }

  // Lineages: a decision and the decisions it amends, transitively. Each binds through one decision at most.
  const rootOf = (id: string): string => {
    let current = id;
    for (let depth = 0; depth < 10_000; depth++) {
      const parent = byId.get(current)?.amends ?? null;
      if (parent === null) return current;
      current = parent;
    }
    return current;
  };
  const lineages = groupBy(db.decisions, (d) => rootOf(d.id));
  const paymentsOf = groupBy(db.disbursements, (p) => p.decisionId);
  const commitmentById = new Map(db.commitments.map((c) => [c.id, c]));
  const lineageBinding = new Map<string, number>();
  for (const [root, members] of lineages) {
    const bound = members.filter((d) => binding(d.status));
    if (bound.length > 1) violate('lineage', `lineage of ${root} binds through ${bound.length} decisions: ${bound.map((d) => `${d.id} ${d.status}`).join(', ')}`);
    const paid = new Map<string, number>();
    for (const member of members) {
      for (const p of paymentsOf.get(member.id) ?? []) {
        const c = commitmentById.get(p.commitmentId);
        if (c === undefined || c.decisionId !== member.id) violate('payments', `payment ${p.id} is on commitment ${p.commitmentId}, not of decision ${member.id}`);
        else paid.set(py(c), (paid.get(py(c)) ?? 0) + p.amountCents);
        if (!binding(member.status) && member.status !== 'superseded') violate('payments', `payment ${p.id} is on decision ${member.id}, which is ${member.status}`);
      }
    }
    const head = bound[0];
    for (const c of head === undefined ? [] : (commitmentsOf.get(head.id) ?? [])) lineageBinding.set(py(c), (lineageBinding.get(py(c)) ?? 0) + committed(c));
    const shown = new Map<string, number>();
    for (const c of head === undefined ? [] : (commitmentsOf.get(head.id) ?? [])) shown.set(py(c), (shown.get(py(c)) ?? 0) + c.disbursedCents);
    const keys = new Set([...paid.keys(), ...[...shown.entries()].filter(([, v]) => v !== 0).map(([k]) => k)]);
    for (const k of keys) {
      if ((paid.get(k) ?? 0) !== (shown.get(k) ?? 0)) {
        violate('lineage', `lineage of ${root}: ${paid.get(k) ?? 0} paid in ${k}, but its binding decision ${head?.id ?? '(none)'} shows ${shown.get(k) ?? 0} disbursed`);
      }
    }
  }

  // No payment of a decision was committed after the event that superseded it.
  const supersededAt = new Map(db.audit.filter((e) => e.action === 'decision.superseded').map((e) => [e.resourceId, e.seq]));
  for (const e of db.audit) {
    if (e.action !== 'disbursement.recorded') continue;
    const at = supersededAt.get(e.resourceId);
    if (at !== undefined && e.seq > at) violate('payments', `seq ${e.seq}: a payment on ${e.resourceId} after it was superseded at seq ${at}`);
  }
  return lineageBinding;
}
