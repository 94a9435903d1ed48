import t from 'tap';
import { DEFAULT_FUNDER, euros, organisationRef, toGrant, toVoteEvent, type GrantSources } from '../../src/domain/open-data.js';
import type { Decision, Organisation, Programme } from '../../src/domain/records.js';
import { decisionRecord, type DecisionOverrides } from '../helpers/decision-record.js';

const ESZL_ID = '00000000-0000-4000-8000-0000000000e5';
const HEERLEN = '00000000-0000-4000-8000-000000000001';
const SITTARD = '00000000-0000-4000-8000-000000000002';
const MAASTRICHT = '00000000-0000-4000-8000-000000000003';
const WTMR = '00000000-0000-4000-8000-0000000000a1';

function organisation(id: string, name: string, kvkNumber: string | null = null): Organisation {
  return { id, name, kind: 'municipality', centreMunicipality: true, kvkNumber, createdAt: '2025-11-03T08:00:00.000Z', updatedAt: '2025-11-03T08:00:00.000Z' };
}

const organisations = new Map([
  [ESZL_ID, { ...organisation(ESZL_ID, 'ESZL', '12345678'), kind: 'foundation' as const, centreMunicipality: false }],
  [HEERLEN, organisation(HEERLEN, 'Gemeente Heerlen')],
  [SITTARD, organisation(SITTARD, 'Gemeente Sittard-Geleen')],
  [MAASTRICHT, organisation(MAASTRICHT, 'Gemeente Maastricht')],
]);
const programmes = new Map<string, Programme>([
  [WTMR, { id: WTMR, code: 'WTMR', name: 'Welcome to Maastricht Region', description: null, ownerOrganisationId: ESZL_ID, createdAt: '', updatedAt: '' }],
]);
const funder = organisationRef(organisations.get(ESZL_ID)!);
const sources: GrantSources = { funder, organisations, programmes, disbursements: [] };

function vote(municipalityId: string, outcome: 'approve' | 'reject', decidedOn: string) {
  return { id: `v-${municipalityId}`, decisionId: 'd1', municipalityId, outcome, decidedOn, reference: null, note: null, castAt: `${decidedOn}T15:00:00.000Z`, collegeDecisionId: null };
}

/** The WTMR decision as ratified by the three colleges in February 2026: EUR 140,000 for 2026, EUR 250,000 for 2027. */
function decision(overrides: DecisionOverrides = {}): Decision {
  return decisionRecord({
    title: 'Principebesluit WTMR',
    summary: 'EUR 140,000 for 2026 and EUR 250,000 for 2027',
    status: 'ratified',
    commitments: [
      { id: 'c1', programmeId: WTMR, year: 2026, amountCents: 14_000_000, purpose: null, finalAmountCents: null, disbursedCents: 0 },
      { id: 'c2', programmeId: WTMR, year: 2027, amountCents: 25_000_000, purpose: null, finalAmountCents: null, disbursedCents: 0 },
    ],
    conditions: [],
    updatedAt: '2026-02-12T15:00:00.000Z',
    ...overrides,
    ratification: {
      requiredMunicipalityIds: [HEERLEN, SITTARD, MAASTRICHT],
      votes: [vote(MAASTRICHT, 'approve', '2026-02-03'), vote(HEERLEN, 'approve', '2026-02-10'), vote(SITTARD, 'approve', '2026-02-12')],
      dueDate: null,
      ...overrides.ratification,
    },
  });
}

t.test('organisation ids: NL-KVK-<number> where the KvK number is known, the publisher prefix and register id otherwise', async (t) => {
  t.same(organisationRef(organisation('x', 'A', '87654321')), { id: 'NL-KVK-87654321', name: 'A' });
  t.same(organisationRef(organisation('x', 'B')), { id: '360G-ESZL-ORG-x', name: 'B' });
});

t.test('euros: cents divided by 100, as a number', async (t) => {
  t.equal(euros(14_000_000), 140_000);
  t.equal(euros(20_250_050), 202_500.5);
  t.equal(euros(1), 0.01);
});

t.test('a ratified decision is a grant awarded on the day the last college decided, in euros', async (t) => {
  const grant = toGrant(decision(), sources);
  t.match(grant, {
    id: '360G-ESZL-00000000-0000-4000-8000-0000000000d1',
    title: 'Principebesluit WTMR',
    description: 'EUR 140,000 for 2026 and EUR 250,000 for 2027',
    currency: 'EUR',
    amountAwarded: 390_000,
    amountDisbursed: 0,
    awardDate: '2026-02-12',
    plannedDates: [{ startDate: '2026-01-01', endDate: '2027-12-31' }],
    recipientOrganization: [{ id: 'NL-KVK-12345678', name: 'ESZL' }],
    fundingOrganization: [funder],
    grantProgramme: [{ code: 'WTMR', title: 'Welcome to Maastricht Region' }],
    disbursementTransaction: [],
    dateModified: '2026-02-12T15:00:00.000Z',
  });
});

t.test('an adopted decision is awarded on the day its adoption took effect, not the day it was recorded; the applicant receives; no summary: the title describes', async (t) => {
  const grant = toGrant(
    decision({
      status: 'adopted',
      summary: null,
      applicantOrganisationId: HEERLEN,
      adoptedAt: '2025-12-03T09:30:00.000Z',
      adoptedOn: '2025-11-20',
      ratification: { required: false, requiredMunicipalityIds: [], votes: [], reason: null },
    }),
    sources,
  );
  t.equal(grant.awardDate, '2025-11-20', 'adoptedOn, though recorded on 3 December');
  t.equal(grant.description, 'Principebesluit WTMR');
  t.same(grant.recipientOrganization, [{ id: `360G-ESZL-ORG-${HEERLEN}`, name: 'Gemeente Heerlen' }]);
});

t.test('a settled decision is awarded its final amounts, with its payments', async (t) => {
  const settled = decision({
    status: 'settled',
    commitments: [
      { ...decision().commitments[0]!, finalAmountCents: 12_000_000, disbursedCents: 12_000_000 },
      { ...decision().commitments[1]!, finalAmountCents: 25_000_000, disbursedCents: 5_000_050 },
    ],
  });
  const payments = [
    { id: 'pay1', decisionId: settled.id, commitmentId: 'c1', amountCents: 12_000_000, paidOn: '2026-03-01', reference: 'BET-1', createdAt: '' },
    { id: 'pay2', decisionId: settled.id, commitmentId: 'c2', amountCents: 5_000_050, paidOn: '2027-03-01', reference: 'BET-2', createdAt: '' },
  ];
  const grant = toGrant(settled, { ...sources, disbursements: payments });
  t.equal(grant.amountAwarded, 370_000);
  t.equal(grant.amountDisbursed, 170_000.5);
  t.same(grant.disbursementTransaction.map((x) => [x.id, x.transactionDate, x.value, x.currency]), [
    ['360G-ESZL-PAYMENT-pay1', '2026-03-01', 120_000, 'EUR'],
    ['360G-ESZL-PAYMENT-pay2', '2027-03-01', 50_000.5, 'EUR'],
  ]);
});

t.test('no grant for a decision that does not bind', async (t) => {
  for (const status of ['draft', 'pending_ratification', 'rejected', 'withdrawn', 'superseded'] as const) {
    t.throws(() => toGrant(decision({ status }), sources), /does not bind/, status);
  }
});

t.test('a ratified decision is a vote event that passed, one yes per college', async (t) => {
  const event = toVoteEvent(decision(), organisations, funder);
  t.equal(event.result, 'pass');
  t.equal(event.motion.result, 'passed');
  t.same(event.counts, [
    { option: 'yes', value: 3 },
    { option: 'no', value: 0 },
  ]);
  t.same(event.votes.map((v) => [v.voter.name, v.option, v.decided_on]), [
    ['Gemeente Heerlen', 'yes', '2026-02-10'],
    ['Gemeente Sittard-Geleen', 'yes', '2026-02-12'],
    ['Gemeente Maastricht', 'yes', '2026-02-03'],
  ]);
  t.equal(event.start_date, '2025-11-19', 'adoptedOn, a date');
  t.equal(event.end_date, '2026-02-12', 'the last college decidedOn, a date');
});

t.test('a rejected decision is a vote event that failed; a college that never voted is "not voting"', async (t) => {
  const rejected = decision({
    status: 'rejected',
    ratification: { votes: [vote(MAASTRICHT, 'approve', '2026-02-03'), vote(HEERLEN, 'reject', '2026-02-10')] },
  });
  const event = toVoteEvent(rejected, organisations, DEFAULT_FUNDER);
  t.equal(event.result, 'fail');
  t.same(event.counts, [
    { option: 'yes', value: 1 },
    { option: 'no', value: 1 },
    { option: 'not voting', value: 1 },
  ]);
  t.same(event.votes.map((v) => v.option), ['no', 'not voting', 'yes']);
});
