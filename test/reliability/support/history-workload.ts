import type { Rng } from '../../helpers/concurrency.js';
import { THRESHOLD_CENTS, TODAY, type HistoryEntry, type Intent, type OpKind } from './history-model.js';

/**
 * The generator of the history test: picks the next operation from a seeded PRNG and from what
 * the answers so far told it (which decisions exist, which it believes are drafts, pending or
 * binding, what their commitments are and roughly what was paid). It aims most requests at a
 * handful of recent decisions, so that dozens of requests in flight collide on the same rows:
 * duplicate adoptions, votes racing each other and a withdrawal, payments racing each other, a
 * settlement, a new blocking condition or an amendment's binding, two amendments of one decision.
 * The PRNG fixes the choices; which request wins a race is up to the database, so a rerun with the
 * same seed produces a similar, not an identical, history.
 */

export interface Fixture {
  centreMunicipalityIds: string[];
  /** A municipality that is no centre municipality: never required to vote. */
  otherMunicipalityId: string;
  programmeIds: string[];
  collegeKeys: Map<string, string>;
  secretariatKey: string;
  adminKey: string;
}

export interface PlannedOp {
  kind: OpKind;
  intent: Intent;
  url: string;
  body: Record<string, unknown>;
  key: string;
  decisionId: string | undefined;
  conditionId: string | undefined;
  reference: string | undefined;
}

type Believed = 'draft' | 'pending_ratification' | 'adopted' | 'ratified' | 'rejected' | 'withdrawn' | 'superseded' | 'settled' | 'closed';

interface KnownCommitment {
  id: string;
  programmeId: string;
  year: number;
  amountCents: number;
  /** What the generator believes was paid: only a hint. */
  paid: number;
}

interface Known {
  id: string;
  reference: string;
  believed: Believed;
  conditionIds: string[];
  commitments: KnownCommitment[];
  voted: Map<string, 'approve' | 'reject'>;
}

const BOARD_DATES = ['2026-01-20', '2026-02-02', '2026-02-16'];
const VOTE_DATES = ['2026-02-17', '2026-02-24', '2026-03-01'];
const BAD_VOTE_DATES = ['2026-03-02', '2026-01-10'];
const DUE_DATES = ['2026-02-15', '2026-04-30', '2026-06-30'];
const HOT = 6;
const binds = (d: Known) => d.believed === 'adopted' || d.believed === 'ratified' || d.believed === 'settled';
const amendable = (d: Known) => d.believed === 'adopted' || d.believed === 'ratified';

export class Workload {
  private readonly known: Known[] = [];
  private readonly byId = new Map<string, Known>();
  private readonly acknowledgedReferences: string[] = [];
  private created = 0;

  constructor(
    private readonly rng: Rng,
    private readonly fixture: Fixture,
    private readonly seed: number,
  ) {}

  next(): PlannedOp {
    const r = this.rng.next();
    if (this.known.length < 8 || r < 0.13) return this.create();
    if (r < 0.26) return this.adopt();
    if (r < 0.55) return this.vote();
    if (r < 0.6) return this.withdraw();
    if (r < 0.65) return this.fulfil();
    if (r < 0.69) return this.condition();
    if (r < 0.86) return this.disburse();
    if (r < 0.93) return this.amend();
    return this.settle();
  }

  /** Learns from an answer; only a hint for choosing targets, never used by the checker. */
  observe(entry: HistoryEntry): void {
    const known = entry.decisionId === undefined ? undefined : this.byId.get(entry.decisionId);
    const ok = entry.status >= 200 && entry.status < 300;
    const response = entry.response as {
      id?: string;
      status?: Believed;
      amends?: string | null;
      conditions?: { id: string }[];
      commitments?: { id: string; programmeId: string; year: number; amountCents: number; disbursedCents: number }[];
      code?: string;
    } | null;
    const refresh = (d: Known) => {
      if (response?.status) d.believed = response.status;
      for (const c of response?.commitments ?? []) {
        const mine = d.commitments.find((k) => k.id === c.id);
        if (mine) mine.paid = c.disbursedCents;
      }
    };
    switch (entry.kind) {
      case 'create':
      case 'amend':
        if (ok && response?.id !== undefined) {
          const decision: Known = {
            id: response.id,
            reference: entry.reference ?? '',
            believed: 'draft',
            conditionIds: (response.conditions ?? []).map((c) => c.id),
            commitments: (response.commitments ?? []).map((c) => ({ id: c.id, programmeId: c.programmeId, year: c.year, amountCents: c.amountCents, paid: 0 })),
            voted: new Map(),
          };
          if (entry.kind === 'create') entry.decisionId = decision.id;
          this.known.push(decision);
          this.byId.set(decision.id, decision);
          this.acknowledgedReferences.push(decision.reference);
        }
        return;
      case 'adopt':
        if (known && ok) {
          refresh(known);
          const amended = response?.amends ? this.byId.get(response.amends) : undefined;
          if (amended && response?.status === 'adopted') amended.believed = 'superseded';
        } else if (known && response?.code === 'DECISION_TRANSITION_NOT_ALLOWED' && known.believed === 'draft') known.believed = 'closed';
        return;
      case 'withdraw':
        if (known && ok) known.believed = 'withdrawn';
        return;
      case 'vote':
        if (!known) return;
        if (ok) {
          known.voted.set(String(entry.body.municipalityId), entry.body.outcome as 'approve' | 'reject');
          if (entry.body.outcome === 'reject') known.believed = 'rejected';
          else if (this.fixture.centreMunicipalityIds.every((m) => known.voted.get(m) === 'approve')) known.believed = 'ratified';
        } else if (response?.code === 'DECISION_TRANSITION_NOT_ALLOWED' && known.believed === 'pending_ratification') {
          known.believed = 'closed';
        }
        return;
      case 'condition':
        if (known && ok && response?.id) known.conditionIds.push(response.id);
        return;
      case 'disburse':
        if (known && ok) {
          const c = known.commitments.find((k) => k.id === entry.body.commitmentId);
          if (c) c.paid += Number(entry.body.amountCents);
        } else if (known && response?.code === 'DECISION_TRANSITION_NOT_ALLOWED' && binds(known)) known.believed = 'closed';
        return;
      case 'settle':
        if (known && ok) known.believed = 'settled';
        return;
      case 'fulfil':
        return;
    }
  }

  private hot(predicate: (d: Known) => boolean): Known | undefined {
    const candidates: Known[] = [];
    for (let i = this.known.length - 1; i >= 0 && candidates.length < HOT; i--) {
      if (predicate(this.known[i]!)) candidates.push(this.known[i]!);
    }
    return candidates.length === 0 ? undefined : this.rng.pick(candidates);
  }

  /** Mostly a hot decision in a fitting state, sometimes any decision (a stale target: 409). */
  private target(predicate: (d: Known) => boolean, pHot = 0.85): Known {
    const hot = this.rng.chance(pHot) ? this.hot(predicate) : undefined;
    return hot ?? this.rng.pick(this.known);
  }

  private manager(): string {
    return this.rng.chance(0.8) ? this.fixture.secretariatKey : this.fixture.adminKey;
  }

  /** A decision body: one or two commitments, big (to be ratified) or small, now and then on the threshold's edge. */
  private decisionBody(n: number, intent: Intent, commitments?: { programmeId: string; year: number; amountCents: number }[]) {
    const { rng, fixture } = this;
    let items = commitments;
    if (items === undefined) {
      const count = rng.int(1, 2);
      const big = rng.chance(0.55);
      const amounts = Array.from({ length: count }, () => (big ? rng.int(5_000_000, 12_000_000) : rng.int(100_000, 4_900_000)));
      const sum = amounts.reduce((a, b) => a + b, 0);
      if (big && sum < THRESHOLD_CENTS) amounts[0]! += THRESHOLD_CENTS - sum;
      if (rng.chance(0.05)) {
        // The threshold's edges: exactly EUR 100,000 needs ratification, one cent less does not.
        amounts.length = 1;
        amounts[0] = rng.chance(0.5) ? THRESHOLD_CENTS : THRESHOLD_CENTS - 1;
      }
      items = amounts.map((amountCents) => ({ programmeId: rng.pick(fixture.programmeIds), year: rng.int(2026, 2028), amountCents }));
    }
    const conditions = Array.from({ length: rng.chance(0.6) ? rng.int(1, 2) : 0 }, (_, i) => ({
      description: `Condition ${i + 1} of decision ${n}: submit measurable result criteria`,
      dueDate: rng.pick(DUE_DATES),
      ...(rng.chance(0.3) && { blocksDisbursement: true }),
    }));
    return {
      title: `History decision ${n}`,
      boardMeetingDate: rng.pick(BOARD_DATES),
      commitments: items.map((c) => ({
        programmeId: intent === 'unknown-programme' ? this.uuid() : c.programmeId,
        year: intent === 'invalid-body' ? 1999 : c.year,
        amountCents: c.amountCents,
        purpose: `purpose ${n}`,
      })),
      ...(conditions.length > 0 && { conditions }),
    };
  }

  private create(): PlannedOp {
    const { rng } = this;
    const n = ++this.created;
    const roll = rng.next();
    const intent: Intent =
      roll < 0.03 ? 'invalid-body' : roll < 0.06 ? 'unknown-programme' : roll < 0.1 && this.acknowledgedReferences.length > 0 ? 'duplicate-reference' : 'valid';
    const reference = intent === 'duplicate-reference' ? rng.pick(this.acknowledgedReferences) : `H-${this.seed}-${n}`;
    return { kind: 'create', intent, url: '/api/v1/decisions', body: { reference, ...this.decisionBody(n, intent) }, key: this.manager(), decisionId: undefined, conditionId: undefined, reference };
  }

  /** An amendment: the target's commitments, each raised or lowered, now and then one dropped or one added. */
  private amend(): PlannedOp {
    const { rng } = this;
    const decision = this.target(amendable, 0.8);
    const n = ++this.created;
    const intent: Intent = rng.chance(0.03) ? 'invalid-body' : 'valid';
    const kept = decision.commitments.filter(() => !rng.chance(0.15));
    const commitments = (kept.length > 0 ? kept : decision.commitments.slice(0, 1))
      .map((c) => ({ programmeId: c.programmeId, year: c.year, amountCents: Math.max(1, Math.round(c.amountCents * (rng.chance(0.5) ? rng.next() * 0.9 + 0.1 : 1 + rng.next()))) }));
    if (rng.chance(0.15)) commitments.push({ programmeId: rng.pick(this.fixture.programmeIds), year: rng.int(2026, 2028), amountCents: rng.int(100_000, 3_000_000) });
    const reference = `H-${this.seed}-A${n}`;
    const body = { reference, ...this.decisionBody(n, intent, commitments) };
    return { kind: 'amend', intent, url: `/api/v1/decisions/${decision.id}/amendments`, body, key: this.manager(), decisionId: decision.id, conditionId: undefined, reference };
  }

  private adopt(): PlannedOp {
    if (this.rng.chance(0.01)) return this.unknown('adopt', '/adopt', {});
    const decision = this.target((d) => d.believed === 'draft');
    return this.on(decision, 'adopt', 'valid', `/api/v1/decisions/${decision.id}/adopt`, {}, this.manager());
  }

  private withdraw(): PlannedOp {
    const decision = this.target((d) => d.believed === 'draft' || d.believed === 'pending_ratification', 0.7);
    if (this.rng.chance(0.02)) return this.on(decision, 'withdraw', 'invalid-body', `/api/v1/decisions/${decision.id}/withdraw`, { reason: '' }, this.manager());
    return this.on(decision, 'withdraw', 'valid', `/api/v1/decisions/${decision.id}/withdraw`, { reason: 'Withdrawn during the history test' }, this.manager());
  }

  private vote(): PlannedOp {
    const { rng, fixture } = this;
    if (rng.chance(0.01)) return this.unknown('vote', '/votes', { municipalityId: fixture.centreMunicipalityIds[0], outcome: 'approve', decidedOn: VOTE_DATES[0] });
    const decision = this.target((d) => d.believed === 'pending_ratification');
    const roll = rng.next();
    const intent: Intent = roll < 0.03 ? 'not-required' : roll < 0.06 ? 'bad-date' : roll < 0.08 ? 'invalid-body' : 'valid';
    const municipalityId = intent === 'not-required' ? fixture.otherMunicipalityId : rng.pick(fixture.centreMunicipalityIds);
    const outcome = intent === 'invalid-body' ? 'abstain' : rng.chance(0.85) ? 'approve' : 'reject';
    const body = {
      municipalityId,
      outcome,
      decidedOn: intent === 'bad-date' ? rng.pick(BAD_VOTE_DATES) : rng.pick(VOTE_DATES),
      reference: `B&W ${rng.int(1, 9999)}`,
    };
    const key = intent === 'not-required' || rng.chance(0.25) ? fixture.adminKey : fixture.collegeKeys.get(municipalityId)!;
    return this.on(decision, 'vote', intent, `/api/v1/decisions/${decision.id}/votes`, body, key);
  }

  private fulfil(): PlannedOp {
    const { rng } = this;
    const withConditions = (d: Known) => d.conditionIds.length > 0;
    const decision = this.target(
      (d) => withConditions(d) && (d.believed === 'pending_ratification' || d.believed === 'adopted' || d.believed === 'ratified'),
      0.8,
    );
    const subject = withConditions(decision) ? decision : (this.hot(withConditions) ?? decision);
    if (!withConditions(subject)) return this.adopt();
    const conditionId = rng.pick(subject.conditionIds);
    const intent: Intent = rng.chance(0.04) ? 'bad-date' : 'valid';
    const body = { fulfilledOn: intent === 'bad-date' ? '2026-03-20' : rng.pick(['2026-02-10', '2026-02-28', '2026-03-01']), evidence: `Evidence ${rng.int(1, 1e6)}` };
    const op = this.on(subject, 'fulfil', intent, `/api/v1/decisions/${subject.id}/conditions/${conditionId}/fulfil`, body, this.manager());
    op.conditionId = conditionId;
    return op;
  }

  private condition(): PlannedOp {
    const { rng } = this;
    const decision = this.target((d) => d.believed === 'pending_ratification' || amendable(d), 0.8);
    const intent: Intent = rng.chance(0.03) ? 'invalid-body' : 'valid';
    const body = {
      description: intent === 'invalid-body' ? '' : `Monitoring condition ${rng.int(1, 1e6)}`,
      dueDate: rng.pick(DUE_DATES),
      blocksDisbursement: rng.chance(0.4),
      reference: `K-${rng.int(1, 9999)}`,
    };
    return this.on(decision, 'condition', intent, `/api/v1/decisions/${decision.id}/conditions`, body, this.manager());
  }

  /** A payment: mostly a part of what the generator believes remains, sometimes more; now and then on a bad date. */
  private disburse(): PlannedOp {
    const { rng } = this;
    const decision = this.target(binds, 0.9);
    const roll = rng.next();
    const other = roll < 0.03 ? this.hot((d) => d !== decision && d.commitments.length > 0) : undefined;
    const intent: Intent = other !== undefined ? 'foreign-commitment' : roll < 0.06 ? 'bad-date' : roll < 0.08 ? 'invalid-body' : 'valid';
    const commitment = rng.pick((other ?? decision).commitments);
    const left = Math.max(1, commitment.amountCents - commitment.paid);
    const amountCents = intent === 'invalid-body' ? 0 : rng.chance(0.15) ? left + rng.int(0, 2) : rng.int(1, Math.max(1, Math.round(left / rng.int(2, 5))));
    const paidOn = intent === 'bad-date' ? '2026-03-02' : rng.chance(0.1) ? '2026-02-25' : TODAY;
    const body = { commitmentId: commitment.id, amountCents, paidOn, reference: `BET-${rng.int(1, 1e6)}` };
    return this.on(decision, 'disburse', intent, `/api/v1/decisions/${decision.id}/disbursements`, body, this.manager());
  }

  /** A settlement: final amounts between what the generator believes was paid and the amount; now and then one above or below. */
  private settle(): PlannedOp {
    const { rng } = this;
    const decision = this.target(amendable, 0.85);
    const roll = rng.next();
    const intent: Intent = roll < 0.05 ? 'bad-final' : roll < 0.08 ? 'invalid-body' : 'valid';
    const finalAmounts = decision.commitments.map((c) => ({
      commitmentId: c.id,
      amountCents: rng.chance(0.1) ? Math.max(0, c.paid - 1) : rng.int(Math.min(c.paid, c.amountCents), c.amountCents),
    }));
    if (intent === 'bad-final') {
      if (rng.chance(0.5) || finalAmounts.length === 1) finalAmounts[0]!.amountCents = decision.commitments[0]!.amountCents + 1;
      else finalAmounts.pop();
    }
    const body = intent === 'invalid-body' ? { settledOn: TODAY, reference: 'VS', finalAmounts: [] } : { settledOn: TODAY, reference: `VS-${rng.int(1, 1e6)}`, finalAmounts };
    return this.on(decision, 'settle', intent, `/api/v1/decisions/${decision.id}/settle`, body, this.manager());
  }

  private on(decision: Known, kind: OpKind, intent: Intent, url: string, body: Record<string, unknown>, key: string): PlannedOp {
    return { kind, intent, url, body, key, decisionId: decision.id, conditionId: undefined, reference: undefined };
  }

  /** A v4-shaped UUID from the PRNG, so unknown ids are reproducible from the seed too. */
  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.rng.int(0, 15).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  private unknown(kind: OpKind, suffix: string, body: Record<string, unknown>): PlannedOp {
    const id = this.uuid();
    return { kind, intent: 'unknown-decision', url: `/api/v1/decisions/${id}${suffix}`, body, key: this.fixture.adminKey, decisionId: id, conditionId: undefined, reference: undefined };
  }
}
