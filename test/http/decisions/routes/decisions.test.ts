import { randomBytes, randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Decision } from '../../../../src/use-cases/decision-views.js';
import { ADMIN_KEY as ADMIN_KEY_FOR_INJECT, startTestApp, type Client } from '../../../helpers/app.js';
import { expectStatus, okJson, problemOf, RFC3339_UTC, sortedErrorPaths, UUID } from '../../../helpers/assertions.js';
import { conditionRecord } from '../../../helpers/decision-record.js';
import {
  adopt,
  createCentreMunicipalities,
  createCentreMunicipality,
  createDecision,
  createKey,
  createOrganisation,
  createProgramme,
  getDecision,
} from '../../../helpers/factories.js';

/**
 * Decisions over HTTP: the contract's fields, every row of the transition table, every refused
 * transition, validation, uniqueness, list filters, keyset pages and roles.
 * Today (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const ctx = await startTestApp(t, { clock });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);
const applicant = await createOrganisation(admin, { kind: 'applicant' });

const THRESHOLD = 10_000_000;
const DECISION_FIELDS = [
  'id',
  'reference',
  'title',
  'summary',
  'boardMeetingDate',
  'applicantOrganisationId',
  'status',
  'totalAmountCents',
  'commitments',
  'conditions',
  'ratification',
  'documents',
  'relatedDecisions',
  'amends',
  'splitting',
  'fundCoverage',
  'adoptedAt',
  'createdAt',
  'updatedAt',
];

const reference = (prefix = 'PB') => `${prefix}-2026-${randomBytes(5).toString('hex')}`;

function decisionBody(programmeId: string, amounts: number[], extra: Record<string, unknown> = {}) {
  return {
    reference: reference(),
    title: 'Principebesluit bijdrage',
    boardMeetingDate: '2026-02-10',
    commitments: amounts.map((amountCents, i) => ({ programmeId, year: 2026 + i, amountCents, purpose: `Tranche ${i + 1}` })),
    ...extra,
  };
}

/** Factories: they throw (failing the subtest) when the API does not answer as expected. */
function draftDecision(client: Client, programmeId: string, amounts: number[], extra: Record<string, unknown> = {}) {
  return createDecision(client, decisionBody(programmeId, amounts, extra));
}

/** Below the threshold: binds at once. */
async function adoptedDecision(client: Client, programmeId: string, amounts = [5_000_000]) {
  return adopt(client, (await draftDecision(client, programmeId, amounts)).id, 'adopted');
}

/** At or above the threshold: awaits ratification. */
async function pendingDecision(client: Client, programmeId: string, amounts = [14_000_000, 25_000_000]) {
  return adopt(client, (await draftDecision(client, programmeId, amounts)).id, 'pending_ratification');
}

async function vote(client: Client, decisionId: string, municipalityId: string, outcome: 'approve' | 'reject') {
  return client.post(`/api/v1/decisions/${decisionId}/votes`, { municipalityId, outcome, decidedOn: '2026-02-20' });
}

async function ratifiedDecision(client: Client, programmeId: string) {
  const decision = await pendingDecision(client, programmeId);
  for (const id of centreIds) expectStatus(await vote(client, decision.id, id, 'approve'), 201, 'approve');
  return getDecision(admin, decision.id);
}

async function rejectedDecision(client: Client, programmeId: string) {
  const decision = await pendingDecision(client, programmeId);
  expectStatus(await vote(client, decision.id, centre.sittardGeleen.id, 'reject'), 201, 'reject');
  return getDecision(admin, decision.id);
}

async function withdrawnDecision(client: Client, programmeId: string) {
  const draft = await draftDecision(client, programmeId, [3_000_000]);
  const res = await client.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'Aanvraag ingetrokken' });
  expectStatus(res, 200, 'withdraw');
  return res.json<Decision>();
}

// ---------------------------------------------------------------------------------------------
// Creation and the shape of a decision
// ---------------------------------------------------------------------------------------------

t.test('creating a decision answers 201 with a draft carrying every field of the contract', async (t) => {
  const body = {
    reference: reference('WTMR'),
    title: 'Welcome to Maastricht Region',
    summary: 'Bijdrage aan WTMR voor 2026 en 2027',
    boardMeetingDate: '2026-01-22',
    applicantOrganisationId: applicant.id,
    commitments: [
      { programmeId: programme.id, year: 2026, amountCents: 14_000_000, purpose: 'Uitvoering 2026' },
      { programmeId: programme.id, year: 2027, amountCents: 25_000_000 },
    ],
    conditions: [{ description: 'Meetbare resultaatcriteria aanleveren', dueDate: '2026-02-15' }],
  };
  const res = await admin.post('/api/v1/decisions', body);
  const decision = okJson<Decision>(t, res, 201);

  t.hasOwnProps(decision, DECISION_FIELDS, 'has every contract field');
  t.match(decision.id, UUID);
  t.equal(decision.reference, body.reference);
  t.equal(decision.title, body.title);
  t.equal(decision.summary, body.summary);
  t.equal(decision.boardMeetingDate, '2026-01-22');
  t.equal(decision.applicantOrganisationId, applicant.id);
  t.equal(decision.status, 'draft');
  t.equal(decision.totalAmountCents, 39_000_000, 'total is the sum of the commitments');
  t.equal(decision.commitments.length, 2);
  for (const commitment of decision.commitments) {
    t.hasOwnProps(commitment, ['id', 'programmeId', 'year', 'amountCents', 'purpose']);
    t.match(commitment.id, UUID);
  }
  t.same(
    decision.commitments.map(({ programmeId, year, amountCents, purpose }) => ({ programmeId, year, amountCents, purpose })),
    [
      { programmeId: programme.id, year: 2026, amountCents: 14_000_000, purpose: 'Uitvoering 2026' },
      { programmeId: programme.id, year: 2027, amountCents: 25_000_000, purpose: null },
    ],
    'commitments as sent, purpose null when left out',
  );
  t.equal(decision.conditions.length, 1);
  const [condition] = decision.conditions;
  t.hasOwnProps(condition!, ['id', 'description', 'dueDate', 'status', 'fulfilledOn', 'evidence']);
  t.match(condition!.id, UUID);
  t.same(
    { ...condition, id: undefined },
    { ...conditionRecord({ description: 'Meetbare resultaatcriteria aanleveren', dueDate: '2026-02-15', status: 'overdue' }), id: undefined },
    'the condition is open and, its due date having passed, overdue',
  );
  t.same(decision.ratification, {
    required: true,
    thresholdCents: 10_000_000,
    requiredMunicipalityIds: [],
    votes: [],
    statuteRuleVersion: 1,
    reason: null,
    dueDate: null,
    overdue: false,
  }, 'a draft shows the statute rule adoption would apply now');
  t.same(
    { documents: decision.documents, relatedDecisions: decision.relatedDecisions, amends: decision.amends, fundCoverage: decision.fundCoverage },
    { documents: [], relatedDecisions: [], amends: null, fundCoverage: null },
    'empty lists are [] and absent objects null',
  );
  t.same(decision.splitting, { suspected: false, cumulativeCents: null, relatedDecisionIds: [] }, 'a draft is not suspected of splitting');
  t.equal(decision.adoptedAt, null);
  t.match(decision.createdAt, RFC3339_UTC);
  t.match(decision.updatedAt, RFC3339_UTC);

  t.same(await getDecision(admin, decision.id), decision, 'GET returns the same decision');
});

t.test('a minimal decision has null summary and applicant and no conditions', async (t) => {
  const res = await admin.post('/api/v1/decisions', {
    reference: reference(),
    title: 'Minimaal besluit',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 1 }],
  });
  const decision = okJson<Decision>(t, res, 201);
  t.equal(decision.summary, null);
  t.equal(decision.applicantOrganisationId, null);
  t.same(decision.conditions, []);
  t.equal(decision.totalAmountCents, 1);
  t.equal(decision.ratification.required, false);
});

t.test('ratification.required on a draft applies the threshold with >= to the total of two commitments', async (t) => {
  const cases: [number[], boolean][] = [
    [[5_000_000, 4_999_999], false],
    [[5_000_000, 5_000_000], true],
    [[5_000_000, 5_000_001], true],
  ];
  for (const [amounts, required] of cases) {
    const decision = await draftDecision(admin, programme.id, amounts);
    const total = amounts[0]! + amounts[1]!;
    t.equal(decision.totalAmountCents, total, `total ${total}`);
    t.equal(decision.ratification.required, required, `${total} cents: required ${required}`);
    t.equal(decision.ratification.thresholdCents, THRESHOLD);
    t.same(decision.ratification.requiredMunicipalityIds, [], 'nothing frozen before adoption');
  }
});

// ---------------------------------------------------------------------------------------------
// The allowed transitions
// ---------------------------------------------------------------------------------------------

t.test('PATCH on a draft answers 200, recomputes the total and replaces the conditions', async (t) => {
  const draft = await draftDecision(admin, programme.id, [5_000_000], {
    conditions: [
      { description: 'Eerste voorwaarde', dueDate: '2026-04-01' },
      { description: 'Tweede voorwaarde', dueDate: '2026-05-01' },
    ],
  });
  t.equal(draft.ratification.required, false);

  const res = await admin.patch(`/api/v1/decisions/${draft.id}`, {
    title: 'Gewijzigde titel',
    summary: 'Nieuwe samenvatting',
    commitments: [
      { programmeId: programme.id, year: 2027, amountCents: 6_000_000, purpose: 'Fase 1' },
      { programmeId: programme.id, year: 2028, amountCents: 4_000_000, purpose: 'Fase 2' },
    ],
    conditions: [{ description: 'Enige voorwaarde', dueDate: '2026-06-30' }],
  });
  const patched = okJson<Decision>(t, res, 200);
  t.equal(patched.id, draft.id);
  t.equal(patched.status, 'draft');
  t.equal(patched.title, 'Gewijzigde titel');
  t.equal(patched.summary, 'Nieuwe samenvatting');
  t.equal(patched.reference, draft.reference, 'untouched fields stay');
  t.equal(patched.totalAmountCents, 10_000_000, 'total recomputed from the new commitments');
  t.equal(patched.ratification.required, true, 'now at the threshold');
  t.same(
    patched.commitments.map(({ year, amountCents, purpose }) => ({ year, amountCents, purpose })),
    [
      { year: 2027, amountCents: 6_000_000, purpose: 'Fase 1' },
      { year: 2028, amountCents: 4_000_000, purpose: 'Fase 2' },
    ],
  );
  t.same(
    patched.conditions.map(({ description, dueDate, status }) => ({ description, dueDate, status })),
    [{ description: 'Enige voorwaarde', dueDate: '2026-06-30', status: 'open' }],
    'the conditions were replaced, not appended',
  );
  t.ok(patched.updatedAt >= draft.updatedAt, 'updatedAt does not go back');
  t.same(await getDecision(admin, draft.id), patched, 'GET returns the patched decision');

  const onlyTitle = okJson<Decision>(t, await admin.patch(`/api/v1/decisions/${draft.id}`, { title: 'Alleen titel' }), 200);
  t.equal(onlyTitle.title, 'Alleen titel');
  t.same(onlyTitle.commitments, patched.commitments, 'commitments stay when not sent');
  t.same(onlyTitle.conditions, patched.conditions, 'conditions stay when not sent');
  t.equal(onlyTitle.totalAmountCents, 10_000_000);
});

t.test('adopting a draft below the threshold answers 200 adopted, binding at once', async (t) => {
  const draft = await draftDecision(admin, programme.id, [5_000_000, 4_999_999]);
  const decision = okJson<Decision>(t, await admin.post(`/api/v1/decisions/${draft.id}/adopt`), 200);
  t.equal(decision.status, 'adopted');
  t.match(decision.adoptedAt, RFC3339_UTC, 'adoptedAt is set');
  t.equal(decision.ratification.required, false);
  t.same(decision.ratification.requiredMunicipalityIds, [], 'no municipality needs to ratify');
  t.same(decision.ratification.votes, []);
  t.same(await getDecision(admin, draft.id), decision);
});

t.test('adopting a draft at the threshold answers 200 pending_ratification with the three centre municipalities', async (t) => {
  const draft = await draftDecision(admin, programme.id, [5_000_000, 5_000_000]);
  const decision = okJson<Decision>(t, await admin.post(`/api/v1/decisions/${draft.id}/adopt`), 200);
  t.equal(decision.status, 'pending_ratification');
  t.match(decision.adoptedAt, RFC3339_UTC, 'adoptedAt is set');
  t.equal(decision.ratification.required, true);
  t.same([...decision.ratification.requiredMunicipalityIds].sort(), [...centreIds].sort(), 'the three centre municipalities');
  t.same(decision.ratification.votes, []);
  t.same(await getDecision(admin, draft.id), decision);
});

t.test('adopting a decision above the threshold also awaits ratification', async (t) => {
  const draft = await draftDecision(admin, programme.id, [5_000_000, 5_000_001]);
  const decision = okJson<Decision>(t, await admin.post(`/api/v1/decisions/${draft.id}/adopt`), 200);
  t.equal(decision.status, 'pending_ratification');
  t.equal(decision.ratification.requiredMunicipalityIds.length, 3);
});

t.test('adopting at the threshold while no centre municipality exists answers 409 NO_CENTRE_MUNICIPALITIES', async (t) => {
  const empty = await startTestApp(t, { clock });
  const emptyProgramme = await createProgramme(empty.admin);
  // A municipality that is not a centre municipality does not count.
  await createOrganisation(empty.admin, { name: 'Gemeente Vaals', kind: 'municipality' });
  const draft = await draftDecision(empty.admin, emptyProgramme.id, [10_000_000]);
  problemOf(t, await empty.admin.post(`/api/v1/decisions/${draft.id}/adopt`), 409, 'NO_CENTRE_MUNICIPALITIES');
  const after = await empty.admin.get(`/api/v1/decisions/${draft.id}`);
  t.same(after.json(), draft, 'the decision is still the same draft');

  const small = await draftDecision(empty.admin, emptyProgramme.id, [9_999_999]);
  const adopted = okJson<Decision>(t, await empty.admin.post(`/api/v1/decisions/${small.id}/adopt`), 200);
  t.equal(adopted.status, 'adopted', 'below the threshold no municipality is needed');
});

t.test('a pending decision becomes ratified once every required municipality approved', async (t) => {
  const decision = await pendingDecision(admin, programme.id);
  for (const [i, id] of centreIds.entries()) {
    t.equal((await vote(admin, decision.id, id, 'approve')).statusCode, 201, `approval ${i + 1}`);
    t.equal((await getDecision(admin, decision.id)).status, i < 2 ? 'pending_ratification' : 'ratified');
  }
});

t.test('a pending decision becomes rejected by any required municipality rejecting', async (t) => {
  const decision = await pendingDecision(admin, programme.id);
  t.equal((await vote(admin, decision.id, centre.heerlen.id, 'approve')).statusCode, 201);
  t.equal((await vote(admin, decision.id, centre.maastricht.id, 'reject')).statusCode, 201);
  t.equal((await getDecision(admin, decision.id)).status, 'rejected');
});

t.test('withdrawing a draft answers 200 withdrawn with the reason', async (t) => {
  const draft = await draftDecision(admin, programme.id, [3_000_000]);
  const res = await admin.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'Aanvrager trekt aanvraag in' });
  const decision = okJson<Decision>(t, res, 200);
  t.equal(decision.status, 'withdrawn');
  t.equal(decision.withdrawalReason, 'Aanvrager trekt aanvraag in');
  t.equal(decision.adoptedAt, null, 'never adopted');
  t.same(await getDecision(admin, draft.id), decision);
});

t.test('withdrawing a pending decision answers 200 withdrawn', async (t) => {
  const pending = await pendingDecision(admin, programme.id);
  t.equal((await vote(admin, pending.id, centre.heerlen.id, 'approve')).statusCode, 201, 'one approval already in');
  const res = await admin.post(`/api/v1/decisions/${pending.id}/withdraw`, { reason: 'Bestuur heroverweegt' });
  const decision = okJson<Decision>(t, res, 200);
  t.equal(decision.status, 'withdrawn');
  t.equal(decision.withdrawalReason, 'Bestuur heroverweegt');
  t.equal(decision.ratification.votes.length, 1, 'the cast vote stays on record');
  problemOf(t, await vote(admin, pending.id, centre.maastricht.id, 'approve'), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
});

t.test('withdrawing needs a reason', async (t) => {
  const draft = await draftDecision(admin, programme.id, [3_000_000]);
  const missing = problemOf(t, await admin.post(`/api/v1/decisions/${draft.id}/withdraw`, {}), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(missing), ['/reason']);
  problemOf(t, await admin.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: '' }), 400, 'VALIDATION_FAILED');
  t.equal((await getDecision(admin, draft.id)).status, 'draft');
});

// ---------------------------------------------------------------------------------------------
// Every other action answers 409 and changes nothing
// ---------------------------------------------------------------------------------------------

type Action = 'PATCH' | 'adopt' | 'withdraw';

function act(action: Action, id: string): Promise<LightMyRequestResponse> {
  switch (action) {
    case 'PATCH':
      return admin.patch(`/api/v1/decisions/${id}`, { title: 'Te laat gewijzigd' });
    case 'adopt':
      return admin.post(`/api/v1/decisions/${id}/adopt`);
    case 'withdraw':
      return admin.post(`/api/v1/decisions/${id}/withdraw`, { reason: 'Te laat' });
  }
}

const states: [string, () => Promise<Decision>, Action[]][] = [
  ['pending_ratification', () => pendingDecision(admin, programme.id), ['PATCH', 'adopt']],
  ['adopted', () => adoptedDecision(admin, programme.id), ['PATCH', 'adopt', 'withdraw']],
  ['ratified', () => ratifiedDecision(admin, programme.id), ['PATCH', 'adopt', 'withdraw']],
  ['rejected', () => rejectedDecision(admin, programme.id), ['PATCH', 'adopt', 'withdraw']],
  ['withdrawn', () => withdrawnDecision(admin, programme.id), ['PATCH', 'adopt', 'withdraw']],
];

for (const [status, make, actions] of states) {
  for (const action of actions) {
    t.test(`${action} on a ${status} decision answers 409 DECISION_TRANSITION_NOT_ALLOWED and changes nothing`, async (t) => {
      const decision = await make();
      t.equal(decision.status, status, `set up a ${status} decision`);
      const before = await getDecision(admin, decision.id);
      problemOf(t, await act(action, decision.id), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
      t.same(await getDecision(admin, decision.id), before, 'the decision is unchanged');
    });
  }
}

t.test('PATCH with new commitments on a pending decision answers 409 and keeps the frozen money', async (t) => {
  const pending = await pendingDecision(admin, programme.id);
  const res = await admin.patch(`/api/v1/decisions/${pending.id}`, {
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 1 }],
  });
  problemOf(t, res, 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  t.same(await getDecision(admin, pending.id), pending);
});

t.test('actions on an unknown decision answer 404 RESOURCE_NOT_FOUND', async (t) => {
  const id = randomUUID();
  problemOf(t, await admin.get(`/api/v1/decisions/${id}`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.patch(`/api/v1/decisions/${id}`, { title: 'Niemand' }), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.post(`/api/v1/decisions/${id}/adopt`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.post(`/api/v1/decisions/${id}/withdraw`, { reason: 'Niemand' }), 404, 'RESOURCE_NOT_FOUND');
});

// ---------------------------------------------------------------------------------------------
// Validation, mass assignment and uniqueness
// ---------------------------------------------------------------------------------------------

t.test('creating a decision without commitments answers 400', async (t) => {
  const empty = problemOf(t, await admin.post('/api/v1/decisions', decisionBody(programme.id, [])), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(empty), ['/commitments']);
  const { commitments: _omitted, ...withoutCommitments } = decisionBody(programme.id, [1]);
  const missing = problemOf(t, await admin.post('/api/v1/decisions', withoutCommitments), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(missing), ['/commitments']);
});

t.test('an amount that is not a positive integer number of cents answers 400', async (t) => {
  for (const amountCents of [0, -1, 1.5, '100'] as unknown[]) {
    const body = decisionBody(programme.id, [1]);
    const res = await admin.post('/api/v1/decisions', {
      ...body,
      commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
    });
    const problem = problemOf(t, res, 400, 'VALIDATION_FAILED');
    t.same(sortedErrorPaths(problem), ['/commitments/0/amountCents'], `amountCents ${JSON.stringify(amountCents)}`);
    // Nothing was created: the reference is still free.
    t.equal((await admin.post('/api/v1/decisions', body)).statusCode, 201, 'the reference is still free');
  }
});

t.test('a year outside 2000..2100 answers 400', async (t) => {
  for (const year of [1999, 2101]) {
    const res = await admin.post('/api/v1/decisions', {
      ...decisionBody(programme.id, [1]),
      commitments: [{ programmeId: programme.id, year, amountCents: 100 }],
    });
    const problem = problemOf(t, res, 400, 'VALIDATION_FAILED');
    t.same(sortedErrorPaths(problem), ['/commitments/0/year'], `year ${year}`);
  }
  for (const year of [2000, 2100]) {
    const res = await admin.post('/api/v1/decisions', {
      ...decisionBody(programme.id, [1]),
      commitments: [{ programmeId: programme.id, year, amountCents: 100 }],
    });
    t.equal(res.statusCode, 201, `year ${year} is accepted`);
  }
});

t.test('an impossible board meeting date answers 400', async (t) => {
  for (const boardMeetingDate of ['2026-02-30', '2026-13-01', '01-02-2026', '2026-2-1']) {
    const res = await admin.post('/api/v1/decisions', decisionBody(programme.id, [100], { boardMeetingDate }));
    const problem = problemOf(t, res, 400, 'VALIDATION_FAILED');
    t.same(sortedErrorPaths(problem), ['/boardMeetingDate'], boardMeetingDate);
  }
});

t.test('every invalid field is listed at once', async (t) => {
  const res = await admin.post('/api/v1/decisions', {
    reference: reference(),
    title: '',
    boardMeetingDate: '2026-02-30',
    commitments: [{ programmeId: programme.id, year: 1999, amountCents: 0 }],
  });
  const problem = problemOf(t, res, 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(problem), ['/boardMeetingDate', '/commitments/0/amountCents', '/commitments/0/year', '/title'].sort());
});

t.test('an unknown programme answers 400 REFERENCED_RESOURCE_NOT_FOUND with the commitment path', async (t) => {
  const body = decisionBody(programme.id, [100]);
  const res = await admin.post('/api/v1/decisions', {
    ...body,
    commitments: [{ programmeId: randomUUID(), year: 2026, amountCents: 100 }],
  });
  const problem = problemOf(t, res, 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(sortedErrorPaths(problem), ['/commitments/0/programmeId']);
  t.equal((await admin.post('/api/v1/decisions', body)).statusCode, 201, 'nothing was created under the reference');

  const second = await admin.post('/api/v1/decisions', {
    ...decisionBody(programme.id, [100]),
    applicantOrganisationId: randomUUID(),
    commitments: [
      { programmeId: programme.id, year: 2026, amountCents: 100 },
      { programmeId: randomUUID(), year: 2027, amountCents: 100 },
    ],
  });
  const both = problemOf(t, second, 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(sortedErrorPaths(both), ['/applicantOrganisationId', '/commitments/1/programmeId'], 'every unknown reference at once');
});

t.test('an unknown applicant organisation answers 400 REFERENCED_RESOURCE_NOT_FOUND', async (t) => {
  const res = await admin.post('/api/v1/decisions', decisionBody(programme.id, [100], { applicantOrganisationId: randomUUID() }));
  const problem = problemOf(t, res, 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(sortedErrorPaths(problem), ['/applicantOrganisationId']);
});

t.test('PATCH with an unknown programme or applicant answers 400 and changes nothing', async (t) => {
  const draft = await draftDecision(admin, programme.id, [100]);
  const res = await admin.patch(`/api/v1/decisions/${draft.id}`, {
    commitments: [{ programmeId: randomUUID(), year: 2026, amountCents: 500 }],
  });
  const problem = problemOf(t, res, 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(sortedErrorPaths(problem), ['/commitments/0/programmeId']);
  problemOf(t, await admin.patch(`/api/v1/decisions/${draft.id}`, { applicantOrganisationId: randomUUID() }), 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(await getDecision(admin, draft.id), draft);
});

t.test('PATCH with an invalid or empty body answers 400 and changes nothing', async (t) => {
  const draft = await draftDecision(admin, programme.id, [100]);
  problemOf(t, await admin.patch(`/api/v1/decisions/${draft.id}`, {}), 400, 'VALIDATION_FAILED');
  const noCommitments = problemOf(t, await admin.patch(`/api/v1/decisions/${draft.id}`, { commitments: [] }), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(noCommitments), ['/commitments']);
  const badAmount = problemOf(
    t,
    await admin.patch(`/api/v1/decisions/${draft.id}`, { commitments: [{ programmeId: programme.id, year: 2026, amountCents: 1.5 }] }),
    400,
    'VALIDATION_FAILED',
  );
  t.same(sortedErrorPaths(badAmount), ['/commitments/0/amountCents']);
  problemOf(t, await admin.patch(`/api/v1/decisions/${draft.id}`, { boardMeetingDate: '2026-02-30' }), 400, 'VALIDATION_FAILED');
  t.same(await getDecision(admin, draft.id), draft);
});

t.test('server-owned fields in a create body answer 400 and create nothing', async (t) => {
  const injections: Record<string, unknown> = {
    status: 'ratified',
    id: randomUUID(),
    totalAmountCents: 1,
    ratification: { required: false, thresholdCents: 0, requiredMunicipalityIds: [], votes: [] },
  };
  for (const [field, value] of Object.entries(injections)) {
    const body = decisionBody(programme.id, [20_000_000]);
    const problem = problemOf(t, await admin.post('/api/v1/decisions', { ...body, [field]: value }), 400, 'VALIDATION_FAILED');
    t.same(sortedErrorPaths(problem), [`/${field}`], `${field} is refused`);
    const clean = await admin.post('/api/v1/decisions', body);
    t.equal(clean.statusCode, 201, `${field}: nothing was created under the reference before`);
    const created = clean.json<Decision>();
    t.equal(created.status, 'draft');
    t.equal(created.totalAmountCents, 20_000_000);
  }
});

t.test('server-owned fields in a PATCH body answer 400 and change nothing', async (t) => {
  const draft = await draftDecision(admin, programme.id, [20_000_000]);
  const injections: Record<string, unknown> = {
    status: 'adopted',
    id: randomUUID(),
    totalAmountCents: 1,
    ratification: { required: false, thresholdCents: 0, requiredMunicipalityIds: [], votes: [] },
  };
  for (const [field, value] of Object.entries(injections)) {
    const res = await admin.patch(`/api/v1/decisions/${draft.id}`, { title: 'Met injectie', [field]: value });
    const problem = problemOf(t, res, 400, 'VALIDATION_FAILED');
    t.same(sortedErrorPaths(problem), [`/${field}`], `${field} is refused`);
  }
  t.same(await getDecision(admin, draft.id), draft, 'the decision is unchanged, title included');
});

t.test('a duplicate reference answers 409 DECISION_REFERENCE_TAKEN', async (t) => {
  const first = await draftDecision(admin, programme.id, [100]);
  const res = await admin.post('/api/v1/decisions', decisionBody(programme.id, [200], { reference: first.reference }));
  problemOf(t, res, 409, 'DECISION_REFERENCE_TAKEN');

  const second = await draftDecision(admin, programme.id, [300]);
  problemOf(t, await admin.patch(`/api/v1/decisions/${second.id}`, { reference: first.reference }), 409, 'DECISION_REFERENCE_TAKEN');
  t.same(await getDecision(admin, second.id), second, 'the second decision keeps its own reference');
  t.equal((await getDecision(admin, first.id)).totalAmountCents, 100, 'the first decision is untouched');
});

t.test('GET an unknown decision answers 404 RESOURCE_NOT_FOUND', async (t) => {
  problemOf(t, await admin.get(`/api/v1/decisions/${randomUUID()}`), 404, 'RESOURCE_NOT_FOUND');
});

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

interface Page {
  items: Decision[];
  nextCursor: string | null;
}

async function list(t: Test, query: string): Promise<Page> {
  const page = okJson<Page>(t, await admin.get(`/api/v1/decisions?${query}`), 200);
  t.same(Object.keys(page).sort(), ['items', 'nextCursor']);
  return page;
}

t.test('the decision list filters by status, programmeId and year', async (t) => {
  const own = await createProgramme(admin);
  const other = await createProgramme(admin);
  const draft = await draftDecision(admin, own.id, [1_000_000]); // 2026
  const pending = await pendingDecision(admin, own.id, [4_000_000, 8_000_000]); // 2026, 2027
  const adopted = await adoptedDecision(admin, own.id, [2_000_000]); // 2026
  const withdrawn = await withdrawnDecision(admin, own.id); // 2026
  const later = await draftDecision(admin, own.id, [700], {
    commitments: [{ programmeId: own.id, year: 2091, amountCents: 700 }],
  });
  // Same year, other programme: must not appear under the programme filter.
  const elsewhere = await draftDecision(admin, other.id, [800], {
    commitments: [{ programmeId: other.id, year: 2091, amountCents: 800 }],
  });
  // One decision with commitments in both programmes.
  const mixed = await draftDecision(admin, other.id, [900], {
    commitments: [
      { programmeId: other.id, year: 2092, amountCents: 900 },
      { programmeId: own.id, year: 2093, amountCents: 100 },
    ],
  });

  const ids = (page: Page) => page.items.map((decision) => decision.id);
  t.same(ids(await list(t, `programmeId=${own.id}`)), [draft.id, pending.id, adopted.id, withdrawn.id, later.id, mixed.id]);
  t.same(ids(await list(t, `programmeId=${other.id}`)), [elsewhere.id, mixed.id]);
  t.same(ids(await list(t, `programmeId=${own.id}&status=draft`)), [draft.id, later.id, mixed.id]);
  t.same(ids(await list(t, `programmeId=${own.id}&status=pending_ratification`)), [pending.id]);
  t.same(ids(await list(t, `programmeId=${own.id}&status=adopted`)), [adopted.id]);
  t.same(ids(await list(t, `programmeId=${own.id}&status=withdrawn`)), [withdrawn.id]);
  t.same(ids(await list(t, `programmeId=${own.id}&year=2027`)), [pending.id]);
  t.same(ids(await list(t, `programmeId=${own.id}&year=2091`)), [later.id]);
  t.same(ids(await list(t, 'year=2091')), [later.id, elsewhere.id]);
  t.same(ids(await list(t, `programmeId=${other.id}&year=2093`)), [], 'programme and year must hold for one commitment');
  t.same(ids(await list(t, `programmeId=${own.id}&year=2093`)), [mixed.id]);

  const byStatus = await list(t, 'status=pending_ratification&limit=200');
  t.ok(byStatus.items.length >= 1);
  t.ok(byStatus.items.every((decision) => decision.status === 'pending_ratification'), 'status filter alone');
  t.ok(ids(byStatus).includes(pending.id));

  const whole = (await list(t, `programmeId=${own.id}&status=pending_ratification`)).items[0];
  t.same(whole, await getDecision(admin, pending.id), 'list items are whole decisions');

  problemOf(t, await admin.get('/api/v1/decisions?status=approved'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/decisions?year=1999'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/decisions?programmeId=not-a-uuid'), 400, 'VALIDATION_FAILED');
});

t.test('the decision list pages by keyset: limit=2 over five decisions sees each once, in creation order', async (t) => {
  const own = await createProgramme(admin);
  const created: string[] = [];
  for (let i = 0; i < 5; i++) created.push((await draftDecision(admin, own.id, [100 + i])).id);

  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `programmeId=${own.id}&limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page = await list(t, query);
    sizes.push(page.items.length);
    seen.push(...page.items.map((decision) => decision.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.same(sizes, [2, 2, 1], 'three pages of 2, 2 and 1');
  t.same(seen, created, 'each decision once, in creation order');
  t.equal(cursor, null, 'the last page has nextCursor null');

  const exact = await list(t, `programmeId=${own.id}&limit=5`);
  t.equal(exact.items.length, 5);
  t.equal(exact.nextCursor, null, 'a page that holds the rest has nextCursor null');

  problemOf(t, await admin.get('/api/v1/decisions?limit=0'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/decisions?limit=201'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/decisions?cursor=garbage'), 400, 'VALIDATION_FAILED');
});

// ---------------------------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------------------------

t.test('reader, college and auditor keys cannot create, edit, adopt or withdraw decisions (403)', async (t) => {
  const clients: Record<string, Client> = {
    reader: ctx.as((await createKey(admin, 'reader')).key),
    college: ctx.as((await createKey(admin, 'college', centre.heerlen.id)).key),
    auditor: ctx.as((await createKey(admin, 'auditor')).key),
  };
  for (const [role, client] of Object.entries(clients)) {
    const body = decisionBody(programme.id, [100]);
    problemOf(t, await client.post('/api/v1/decisions', body), 403, 'FORBIDDEN');
    t.equal((await admin.post('/api/v1/decisions', body)).statusCode, 201, `${role}: nothing was created`);

    const draft = await draftDecision(admin, programme.id, [100]);
    problemOf(t, await client.patch(`/api/v1/decisions/${draft.id}`, { title: `Door ${role}` }), 403, 'FORBIDDEN');
    problemOf(t, await client.post(`/api/v1/decisions/${draft.id}/adopt`), 403, 'FORBIDDEN');
    problemOf(t, await client.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: `Door ${role}` }), 403, 'FORBIDDEN');
    t.same(await getDecision(admin, draft.id), draft, `${role}: the draft is unchanged`);

    const pending = await pendingDecision(admin, programme.id);
    problemOf(t, await client.post(`/api/v1/decisions/${pending.id}/withdraw`, { reason: `Door ${role}` }), 403, 'FORBIDDEN');
    t.equal((await getDecision(admin, pending.id)).status, 'pending_ratification');
  }
});

t.test('a secretariat key can create, edit, adopt and withdraw decisions', async (t) => {
  const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);
  const draft = okJson<Decision>(t, await secretariat.post('/api/v1/decisions', decisionBody(programme.id, [100])), 201);
  t.equal(draft.status, 'draft');
  const patched = okJson<Decision>(t, await secretariat.patch(`/api/v1/decisions/${draft.id}`, { title: 'Secretariaat' }), 200);
  t.equal(patched.title, 'Secretariaat');
  const adopted = okJson<Decision>(t, await secretariat.post(`/api/v1/decisions/${draft.id}/adopt`), 200);
  t.equal(adopted.status, 'adopted');

  const other = await draftDecision(secretariat, programme.id, [10_000_000]);
  const pending = okJson<Decision>(t, await secretariat.post(`/api/v1/decisions/${other.id}/adopt`), 200);
  t.equal(pending.status, 'pending_ratification');
  const withdrawn = okJson<Decision>(t, await secretariat.post(`/api/v1/decisions/${other.id}/withdraw`, { reason: 'Secretariaat' }), 200);
  t.equal(withdrawn.status, 'withdrawn');
});

t.test('a reader key can read decisions', async (t) => {
  const reader = ctx.as((await createKey(admin, 'reader')).key);
  const pending = await pendingDecision(admin, programme.id);
  t.same(okJson<Decision>(t, await reader.get(`/api/v1/decisions/${pending.id}`), 200), pending);
  const page = okJson<Page>(t, await reader.get(`/api/v1/decisions?status=pending_ratification&limit=200`), 200);
  t.ok(page.items.some((decision) => decision.id === pending.id));
});

t.test('without a key the decisions answer 401', async (t) => {
  const anonymous = ctx.as(undefined);
  problemOf(t, await anonymous.get('/api/v1/decisions'), 401, 'UNAUTHENTICATED');
  problemOf(t, await anonymous.post('/api/v1/decisions', decisionBody(programme.id, [100])), 401, 'UNAUTHENTICATED');
});

// ---------------------------------------------------------------------------------------------
// The frozen set of required municipalities (in an app of its own)
// ---------------------------------------------------------------------------------------------

t.test('adoption freezes the centre municipalities: a fourth one registered later is not asked to vote', async (t) => {
  const own = await startTestApp(t, { clock });
  const three = await createCentreMunicipalities(own.admin);
  const threeIds = [three.heerlen.id, three.sittardGeleen.id, three.maastricht.id].sort();
  const ownProgramme = await createProgramme(own.admin);
  const pending = await pendingDecision(own.admin, ownProgramme.id);
  t.same([...pending.ratification.requiredMunicipalityIds].sort(), threeIds);

  const fourth = await createCentreMunicipality(own.admin, 'Gemeente Kerkrade');
  const after = (await own.admin.get(`/api/v1/decisions/${pending.id}`)).json<Decision>();
  t.same([...after.ratification.requiredMunicipalityIds].sort(), threeIds, 'still the three of the adoption');
  t.same(after, pending, 'the pending decision is unchanged');

  const res = await own.admin.post(`/api/v1/decisions/${pending.id}/votes`, {
    municipalityId: fourth.id,
    outcome: 'approve',
    decidedOn: '2026-02-20',
  });
  problemOf(t, res, 400, 'VOTE_MUNICIPALITY_NOT_REQUIRED');
  const college = own.as((await createKey(own.admin, 'college', fourth.id)).key);
  problemOf(
    t,
    await college.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: fourth.id, outcome: 'reject', decidedOn: '2026-02-20' }),
    400,
    'VOTE_MUNICIPALITY_NOT_REQUIRED',
  );
  t.equal((await own.admin.get(`/api/v1/decisions/${pending.id}`)).json<Decision>().status, 'pending_ratification');

  // Maastricht stops being a centre municipality after the adoption: it is still asked to ratify.
  const unflag = await own.admin.patch(`/api/v1/organisations/${three.maastricht.id}`, { centreMunicipality: false });
  t.equal(unflag.statusCode, 200, `Maastricht no longer a centre municipality (body: ${unflag.body.slice(0, 300)})`);
  const stillThree = (await own.admin.get(`/api/v1/decisions/${pending.id}`)).json<Decision>();
  t.same([...stillThree.ratification.requiredMunicipalityIds].sort(), threeIds, 'still the three of the adoption');

  // The three of the adoption ratify it on their own.
  for (const id of threeIds) {
    const cast = await own.admin.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: id, outcome: 'approve', decidedOn: '2026-02-20' });
    t.equal(cast.statusCode, 201);
  }
  t.equal((await own.admin.get(`/api/v1/decisions/${pending.id}`)).json<Decision>().status, 'ratified');

  // A decision adopted now needs the centre municipalities of now: Heerlen, Sittard-Geleen and the fourth.
  const later = await pendingDecision(own.admin, ownProgramme.id);
  t.same(
    [...later.ratification.requiredMunicipalityIds].sort(),
    [three.heerlen.id, three.sittardGeleen.id, fourth.id].sort(),
  );
});

t.test('a POST that takes no body (adopt) accepts none, an empty one with a JSON content type, {} and null', async (t) => {
  const bodies: [string, Record<string, string>, string | undefined][] = [
    ['no body, no content type', {}, undefined],
    ['an empty body with Content-Type: application/json', { 'content-type': 'application/json' }, ''],
    ['an empty body with Content-Type: application/json; charset=utf-8', { 'content-type': 'application/json; charset=utf-8' }, ''],
    ['{}', { 'content-type': 'application/json' }, '{}'],
    ['null', { 'content-type': 'application/json' }, 'null'],
  ];
  for (const [name, headers, payload] of bodies) {
    const draft = await draftDecision(admin, programme.id, [1_000_000]);
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/decisions/${draft.id}/adopt`,
      headers: { authorization: `Bearer ${ADMIN_KEY_FOR_INJECT}`, ...headers },
      ...(payload !== undefined && { payload }),
    });
    t.equal(res.statusCode, 200, `${name}: 200 (body: ${res.body.slice(0, 200)})`);
    t.equal(res.json<Decision>().status, 'adopted', `${name}: adopted`);
  }
});

t.test('a POST that needs a body answers 400 for an empty one, whatever its content type says', async (t) => {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/decisions',
    headers: { authorization: `Bearer ${ADMIN_KEY_FOR_INJECT}`, 'content-type': 'application/json' },
    payload: '',
  });
  problemOf(t, res, 400, 'VALIDATION_FAILED');
});
