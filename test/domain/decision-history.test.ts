import t from 'tap';
import {
  applyDecisionEvent,
  asOfMoment,
  completeRecordedDecision,
  decisionOnDay,
  endOfAmsterdamDay,
  recordedDecision,
  type RecordedDecision,
} from '../../src/domain/decision-history.js';
import { conditionRecord, decisionRecord, MAASTRICHT_ID } from '../helpers/decision-record.js';

t.test('decisionOnDay derives what depends on the day, and nothing else', async (t) => {
  const cases: { name: string; day: string; condition: string; overdue: boolean }[] = [
    { name: 'before both due dates', day: '2026-01-10', condition: 'open', overdue: false },
    { name: 'on the ratification due date: not overdue yet', day: '2026-01-18', condition: 'open', overdue: false },
    { name: 'the day after the ratification due date', day: '2026-01-19', condition: 'open', overdue: true },
    { name: 'on the condition due date: still open', day: '2026-02-15', condition: 'open', overdue: true },
    { name: 'the day after the condition due date: overdue', day: '2026-02-16', condition: 'overdue', overdue: true },
  ];
  const recorded = decisionRecord();
  for (const c of cases) {
    const shown = decisionOnDay(recorded, c.day);
    t.equal(shown.conditions[0]!.status, c.condition, `${c.name}: condition ${c.condition}`);
    t.equal(shown.ratification.overdue, c.overdue, `${c.name}: ratification.overdue ${c.overdue}`);
    t.same({ ...shown, conditions: recorded.conditions, ratification: recorded.ratification }, recorded, `${c.name}: the rest as recorded`);
  }
});

t.test('a condition recorded overdue shows open on a day before its due date, and fulfilled stays fulfilled', async (t) => {
  const recorded = decisionRecord({
    conditions: [
      conditionRecord({ status: 'overdue' }),
      conditionRecord({ id: 'k2', status: 'fulfilled', fulfilledOn: '2026-01-02', evidence: 'sent' }),
    ],
  });
  t.same(decisionOnDay(recorded, '2026-01-01').conditions.map((c) => c.status), ['open', 'fulfilled']);
});

t.test('ratification.overdue is false on any day once the decision is no longer pending', async (t) => {
  for (const status of ['ratified', 'rejected', 'withdrawn'] as const) {
    t.equal(decisionOnDay(decisionRecord({ status }), '2027-01-01').ratification.overdue, false, status);
  }
});

t.test('a decision never adopted shows the statute rule in force on its board meeting date among the rules of that moment', async (t) => {
  const draft = decisionRecord({
    status: 'draft',
    adoptedAt: null,
    boardMeetingDate: '2027-03-01',
    totalAmountCents: 8_000_000,
    ratification: { required: false, requiredMunicipalityIds: [], reason: null, dueDate: null },
  });
  const v1 = { version: 1, effectiveFrom: '2000-01-01', thresholdCents: 10_000_000 };
  const v2 = { version: 2, effectiveFrom: '2027-01-01', thresholdCents: 5_000_000 };
  const v3 = { version: 3, effectiveFrom: '2027-06-01', thresholdCents: 1_000_000 };
  const table = [
    { rules: [], version: 1, required: false, name: 'no rules given: as recorded' },
    { rules: [v1], version: 1, required: false, name: 'only version 1' },
    { rules: [v1, v2], version: 2, required: true, name: 'version 2 took effect before the board meeting' },
    { rules: [v1, v2, v3], version: 2, required: true, name: 'version 3 takes effect after the board meeting' },
    { rules: [v3], version: 1, required: false, name: 'only a rule effective after the meeting: as recorded' },
  ];
  for (const row of table) {
    const shown = decisionOnDay(draft, '2026-12-01', row.rules);
    t.equal(shown.ratification.statuteRuleVersion, row.version, `${row.name}: version ${row.version}`);
    t.equal(shown.ratification.required, row.required, `${row.name}: required ${row.required}`);
  }
  t.equal(decisionOnDay(decisionRecord(), '2026-12-01', [v1, v2]).ratification.statuteRuleVersion, 1, 'an adopted decision keeps its frozen rule');
});

t.test('a decision recorded before the second round is completed with the values the migration gave', async (t) => {
  const whole = decisionRecord();
  const old = JSON.parse(JSON.stringify(whole)) as Record<string, unknown> & { ratification: Record<string, unknown> };
  for (const key of ['documents', 'relatedDecisions', 'amends', 'splitting', 'fundCoverage', 'settlement', 'withdrawnAt', 'withdrawalReason']) delete old[key];
  for (const key of ['statuteRuleVersion', 'reason', 'dueDate', 'overdue']) delete old.ratification[key];
  const commitments = old.commitments as Record<string, unknown>[];
  delete commitments[0]!.finalAmountCents;
  delete commitments[0]!.disbursedCents;
  const conditions = old.conditions as Record<string, unknown>[];
  for (const key of ['blocksDisbursement', 'fulfilledLate', 'reference', 'documents']) delete conditions[0]![key];
  t.same(completeRecordedDecision(old as unknown as RecordedDecision), { ...whole, ratification: { ...whole.ratification, dueDate: null } });
  t.same(completeRecordedDecision(whole), whole, 'a complete decision is left as it is');
});

t.test('recordedDecision finds the whole decision an event carries', async (t) => {
  t.same(recordedDecision({ decision: decisionRecord() }), decisionRecord());
  t.equal(recordedDecision({ vote: {} }), undefined);
  t.equal(recordedDecision(null), undefined);
  t.equal(recordedDecision({ decision: 'x' }), undefined);
});

t.test('applyDecisionEvent: whole decisions replace, older vote and condition events apply to the decision before them', async (t) => {
  const before = decisionRecord();
  const vote = { id: 'v1', decisionId: before.id, municipalityId: MAASTRICHT_ID, outcome: 'approve', decidedOn: '2026-02-03', reference: null, note: 'Conform', castAt: '2026-02-03T15:00:00.000Z' };
  const afterVote = applyDecisionEvent(before, 'vote.cast', { vote })!;
  t.same(afterVote.ratification.votes, [{ ...vote, collegeDecisionId: null }], 'an older vote.cast adds its vote');
  t.equal(applyDecisionEvent(afterVote, 'vote.cast', { vote }), afterVote, 'the same vote twice is added once');
  const condition = { ...before.conditions[0]!, status: 'fulfilled', fulfilledOn: '2026-02-10', evidence: 'criteria' };
  t.same(applyDecisionEvent(before, 'condition.fulfilled', { condition })!.conditions, [condition], 'an older condition.fulfilled replaces its condition');
  const newer = decisionRecord({ status: 'ratified' });
  t.same(applyDecisionEvent(before, 'decision.ratified', { decision: newer }), newer, 'a whole decision replaces');
  t.equal(applyDecisionEvent(before, 'condition.overdue', { condition }), before, 'an older condition.overdue changes nothing');
  t.equal(applyDecisionEvent(undefined, 'vote.cast', { vote }), undefined, 'nothing to apply a vote to');
});

t.test('asOfMoment: a timestamp names itself, a date the end of that day in Amsterdam, the future now', async (t) => {
  const now = new Date('2026-11-29T12:00:00Z');
  t.same(asOfMoment('2026-02-03T15:00:00Z', now), { instant: new Date('2026-02-03T15:00:00Z'), day: '2026-02-03' });
  t.same(asOfMoment('2026-02-03T23:30:00Z', now), { instant: new Date('2026-02-03T23:30:00Z'), day: '2026-02-04' }, 'Amsterdam is an hour ahead in winter');
  t.same(asOfMoment('2026-02-02', now), { instant: new Date('2026-02-02T22:59:59.999Z'), day: '2026-02-02' }, 'winter: UTC+1');
  t.same(asOfMoment('2026-07-01', now), { instant: new Date('2026-07-01T21:59:59.999Z'), day: '2026-07-01' }, 'summer: UTC+2');
  t.same(asOfMoment('2027-01-01T00:00:00Z', now), { instant: now, day: '2026-11-29' }, 'a future moment is read as now');
  t.same(asOfMoment('2026-11-29', now), { instant: now, day: '2026-11-29' }, 'the end of today is read as now');
});

t.test('endOfAmsterdamDay on the days the clocks change', async (t) => {
  t.equal(endOfAmsterdamDay('2026-03-29').toISOString(), '2026-03-29T21:59:59.999Z', 'summer time began that night: the day ends at UTC+2');
  t.equal(endOfAmsterdamDay('2026-10-25').toISOString(), '2026-10-25T22:59:59.999Z', 'winter time began that night: the day ends at UTC+1');
});
