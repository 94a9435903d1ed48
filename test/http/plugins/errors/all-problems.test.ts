import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Decision } from '../../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../../helpers/app.js';
import { expectJson, expectStatus, problemOf } from '../../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme, fundTheRegister, getDecision } from '../../../helpers/factories.js';
import { amend, bindingDecision, decisionBody, paid } from '../../../helpers/after-adoption.js';

/**
 * Every problem of a request in one problem+json: the domain's checks collect what they find
 * without writing, and the answer lists each problem in `errors[]` with its code, in the
 * contract's order, with the status and code of the first. A table per use case, with two and
 * three faults at once; each row also checks that nothing was written. Today is 2026-03-01.
 */
const TODAY = '2026-03-01';
const TOMORROW = '2026-03-02';
const ctx = await startTestApp(t, { clock: fixedClock(`${TODAY}T12:00:00Z`) });
const { admin } = ctx;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const centreIds = [heerlen.id, sittardGeleen.id, maastricht.id];
const programme = await createProgramme(admin);
await fundTheRegister(admin, heerlen.id);

interface Row {
  name: string;
  request: () => Promise<LightMyRequestResponse>;
  status: number;
  /** `code path` of each entry of errors[], in order. */
  errors: string[];
}

async function auditHead(): Promise<number> {
  return expectJson<{ count: number }>(await admin.get('/api/v1/audit-events/verify'), 200, 'verify').count;
}

function table(title: string, rows: () => Promise<Row[]>): void {
  t.test(title, async (t) => {
    for (const row of await rows()) {
      await t.test(row.name, async (t) => {
        const before = await auditHead();
        const problem = problemOf(t, await row.request(), row.status);
        const entries = (problem.errors ?? []) as { path: string; code?: string }[];
        t.same(entries.map((e) => `${e.code} ${e.path}`), row.errors, 'every problem, in order, with its code');
        const first = row.errors[0]!.split(' ')[0];
        if (first !== 'undefined') t.equal(problem.code, first, 'the code of the first problem');
        t.equal(await auditHead(), before, 'nothing was written');
      });
    }
  });
}

/** A decision of EUR 200,000 in 2026 awaiting the colleges; board meeting 2026-01-22. */
async function pending(): Promise<Decision> {
  const draft = await createDecision(admin, decisionBody([{ programmeId: programme.id, year: 2026, amountCents: 20_000_000 }]));
  return adopt(admin, draft.id, 'pending_ratification');
}

table('a vote names every problem: municipality, date, a vote already cast', async () => {
  const decision = await pending();
  expectStatus(await admin.post(`/api/v1/decisions/${decision.id}/votes`, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: '2026-02-01' }), 201, 'first vote');
  const vote = (body: Record<string, unknown>) => admin.post(`/api/v1/decisions/${decision.id}/votes`, { outcome: 'approve', ...body });
  const outsider = randomUUID();
  return [
    {
      name: 'a wrong municipality and a date before the board meeting',
      request: () => vote({ municipalityId: outsider, decidedOn: '2026-01-21' }),
      status: 400,
      errors: ['VOTE_MUNICIPALITY_NOT_REQUIRED /municipalityId', 'VOTE_DATE_OUT_OF_RANGE /decidedOn'],
    },
    {
      name: 'a date after today and a municipality that already voted: 400 before 409',
      request: () => vote({ municipalityId: heerlen.id, decidedOn: TOMORROW }),
      status: 400,
      errors: ['VOTE_DATE_OUT_OF_RANGE /decidedOn', 'VOTE_ALREADY_CAST /'],
    },
  ];
});

table('a payment names every problem: commitment, date, a blocking condition, the amount', async () => {
  const decision = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }]);
  const commitmentId = decision.commitments[0]!.id;
  await paid(admin, decision.id, commitmentId, 600_000);
  const blocked = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }], {
    conditions: [{ description: 'Resultaatcriteria', dueDate: '2026-06-01', blocksDisbursement: true }],
  });
  const pay = (id: string, body: Record<string, unknown>) => admin.post(`/api/v1/decisions/${id}/disbursements`, { reference: 'BET-1', ...body });
  return [
    {
      name: 'a bad date and an amount over what remains',
      request: () => pay(decision.id, { commitmentId, amountCents: 500_000, paidOn: TOMORROW }),
      status: 400,
      errors: ['DISBURSEMENT_DATE_OUT_OF_RANGE /paidOn', 'DISBURSEMENT_EXCEEDS_COMMITMENT /amountCents'],
    },
    {
      name: 'a commitment of another decision, a bad date and an open blocking condition',
      request: () => pay(blocked.id, { commitmentId, amountCents: 1, paidOn: '2020-01-01' }),
      status: 400,
      errors: ['REFERENCED_RESOURCE_NOT_FOUND /commitmentId', 'DISBURSEMENT_DATE_OUT_OF_RANGE /paidOn', 'CONDITION_BLOCKS_DISBURSEMENT /'],
    },
    {
      name: 'an open blocking condition and an amount over the commitment: 409, both',
      request: () => pay(blocked.id, { commitmentId: blocked.commitments[0]!.id, amountCents: 1_000_001, paidOn: TODAY }),
      status: 409,
      errors: ['CONDITION_BLOCKS_DISBURSEMENT /', 'DISBURSEMENT_EXCEEDS_COMMITMENT /amountCents'],
    },
  ];
});

table('a fulfilment names every problem: fulfilled already, the date, indicators of another decision', async () => {
  const decision = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }], {
    conditions: [
      { description: 'Open', dueDate: '2026-06-01' },
      { description: 'Fulfilled', dueDate: '2026-06-01' },
    ],
  });
  const [open, done] = decision.conditions;
  const fulfil = (conditionId: string, body: Record<string, unknown>) =>
    admin.post(`/api/v1/decisions/${decision.id}/conditions/${conditionId}/fulfil`, { evidence: 'Notitie', ...body });
  expectStatus(await fulfil(done!.id, { fulfilledOn: TODAY }), 200, 'fulfil');
  const unknownIndicator = randomUUID();
  return [
    {
      name: 'a date after today and an indicator of no decision',
      request: () => fulfil(open!.id, { fulfilledOn: TOMORROW, indicatorIds: [unknownIndicator] }),
      status: 400,
      errors: ['CONDITION_FULFILMENT_DATE_OUT_OF_RANGE /fulfilledOn', 'REFERENCED_RESOURCE_NOT_FOUND /indicatorIds/0'],
    },
    {
      name: 'fulfilled already, a date before the board meeting and an unknown indicator: 409 first',
      request: () => fulfil(done!.id, { fulfilledOn: '2026-01-01', indicatorIds: [unknownIndicator] }),
      status: 409,
      errors: ['CONDITION_NOT_FULFILLABLE /', 'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE /fulfilledOn', 'REFERENCED_RESOURCE_NOT_FOUND /indicatorIds/0'],
    },
  ];
});

table('a settlement names every problem: a live amendment, the input, money already paid', async () => {
  const decision = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }]);
  await paid(admin, decision.id, decision.commitments[0]!.id, 400_000);
  const amended = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }]);
  await amend(admin, amended.id, [{ programmeId: programme.id, year: 2026, amountCents: 900_000 }]);
  const settle = (d: Decision, amountCents: number, settledOn: string) =>
    admin.post(`/api/v1/decisions/${d.id}/settle`, { settledOn, reference: 'VS-1', finalAmounts: [{ commitmentId: d.commitments[0]!.id, amountCents }] });
  return [
    {
      name: 'a date after today and a final amount below what was paid',
      request: () => settle(decision, 300_000, TOMORROW),
      status: 400,
      errors: ['SETTLEMENT_DATE_OUT_OF_RANGE /settledOn', 'AMOUNT_BELOW_DISBURSED /finalAmounts/0/amountCents'],
    },
    {
      name: 'a live amendment, a final amount above the commitment and a bad date: 409 first',
      request: () => settle(amended, 1_000_001, TOMORROW),
      status: 409,
      errors: ['AMENDMENT_IN_PROGRESS /', 'AMOUNT_OUT_OF_RANGE /finalAmounts/0/amountCents', 'SETTLEMENT_DATE_OUT_OF_RANGE /settledOn'],
    },
  ];
});

table('an amendment and a new decision name every problem of the body', async () => {
  const amended = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }]);
  await amend(admin, amended.id, [{ programmeId: programme.id, year: 2026, amountCents: 900_000 }]);
  const free = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }]);
  const unknownProgramme = randomUUID();
  const unknownApplicant = randomUUID();
  const faulty = (overrides: Record<string, unknown> = {}) =>
    decisionBody([{ programmeId: unknownProgramme, year: 2026, amountCents: 500_000 }], {
      applicantOrganisationId: unknownApplicant,
      relatedDecisions: [{ relation: 'relates_to' }],
      ...overrides,
    });
  const bodyProblems = [
    'VALIDATION_FAILED /relatedDecisions/0',
    'REFERENCED_RESOURCE_NOT_FOUND /commitments/0/programmeId',
    'REFERENCED_RESOURCE_NOT_FOUND /applicantOrganisationId',
  ];
  return [
    {
      name: 'a new decision with a related decision naming nothing, an unknown programme and an unknown applicant',
      request: () => admin.post('/api/v1/decisions', faulty()),
      status: 400,
      errors: bodyProblems,
    },
    {
      name: 'a new decision with an unknown programme and applicant, otherwise valid: one problem with two entries',
      request: () => admin.post('/api/v1/decisions', faulty({ relatedDecisions: [] })),
      status: 400,
      errors: ['undefined /commitments/0/programmeId', 'undefined /applicantOrganisationId'],
    },
    {
      name: 'an amendment of a free decision with every fault of the body',
      request: () => admin.post(`/api/v1/decisions/${free.id}/amendments`, faulty()),
      status: 400,
      errors: bodyProblems,
    },
    {
      name: 'an amendment while another is live, with every fault of the body: 409 first',
      request: () => admin.post(`/api/v1/decisions/${amended.id}/amendments`, faulty()),
      status: 409,
      errors: ['AMENDMENT_IN_PROGRESS /', ...bodyProblems],
    },
  ];
});

table('a college decision names every failing vote and every problem of each', async () => {
  const first = await pending();
  const second = await pending();
  const settledOne = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }]);
  expectStatus(await admin.post(`/api/v1/decisions/${second.id}/votes`, { municipalityId: maastricht.id, outcome: 'approve', decidedOn: '2026-02-01' }), 201, 'vote');
  const record = (decidedOn: string, decisionIds: string[]) =>
    admin.post('/api/v1/college-decisions', {
      municipalityId: maastricht.id,
      decidedOn,
      reference: 'CB-1',
      votes: decisionIds.map((decisionId) => ({ decisionId, outcome: 'approve' })),
    });
  const unknown = randomUUID();
  return [
    {
      name: 'a date after today on two decisions, one already voted on',
      request: () => record(TOMORROW, [first.id, second.id]),
      status: 400,
      errors: ['VOTE_DATE_OUT_OF_RANGE /votes/0/decisionId', 'VOTE_DATE_OUT_OF_RANGE /votes/1/decisionId', 'VOTE_ALREADY_CAST /votes/1/decisionId'],
    },
    {
      name: 'an unknown decision, a decision that binds, and one already voted on',
      request: () => record(TODAY, [unknown, settledOne.id, second.id, first.id]),
      status: 404,
      errors: ['RESOURCE_NOT_FOUND /votes/0/decisionId', 'DECISION_TRANSITION_NOT_ALLOWED /votes/1/decisionId', 'VOTE_ALREADY_CAST /votes/2/decisionId'],
    },
  ];
});

t.test('a request with one problem still answers it as before', async (t) => {
  const decision = await pending();
  const res = await admin.post(`/api/v1/decisions/${decision.id}/votes`, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: TOMORROW });
  const problem = problemOf(t, res, 400, 'VOTE_DATE_OUT_OF_RANGE');
  t.same(problem.errors, [{ path: '/decidedOn', message: `must be between 2026-01-22 and ${TODAY}` }], 'one entry, without a code of its own');
  t.equal((await getDecision(admin, decision.id)).ratification.votes.length, 0);
});
