import t from 'tap';
import { decideAdoption, NOT_SUSPECTED, type AdoptionFacts } from '../../src/domain/adoption.js';
import { DECISION_STATUSES } from '../../src/domain/decision-lifecycle.js';
import type { Splitting } from '../../src/domain/records.js';
import { attempt, refused } from '../helpers/attempt.js';

/**
 * What adoption decides from the facts of its moment: adopted at once or pending ratification,
 * why, by when, and what it freezes into the decision (rule version, threshold, splitting
 * verdict, fund coverage). Table tests; each row changes one fact of the baseline.
 */
const CENTRES = ['gm-sittard-geleen', 'gm-heerlen', 'gm-maastricht'];
const SUSPECTED: Splitting = { suspected: true, cumulativeCents: 10_500_000, relatedDecisionIds: ['d-1', 'd-2'] };

function facts(overrides: Partial<Omit<AdoptionFacts, 'rule'>> & { rule?: Partial<AdoptionFacts['rule']> } = {}): AdoptionFacts {
  const { rule, ...rest } = overrides;
  return {
    status: 'draft',
    totalAmountCents: 5_000_000,
    rule: {
      version: 3,
      thresholdCents: 10_000_000,
      splitting: { scope: 'applicant_year', action: 'flag' },
      ratificationPeriodDays: 56,
      fundCheck: 'flag',
      ...rule,
    },
    centreMunicipalityIds: CENTRES,
    adoptedOn: '2026-03-01',
    splitting: NOT_SUSPECTED,
    fundCoverage: { uncommittedCentsBefore: 50_000_000, sufficient: true },
    ...rest,
  };
}

const PENDING = { status: 'pending_ratification', requiredMunicipalityIds: ['gm-heerlen', 'gm-maastricht', 'gm-sittard-geleen'] } as const;
const ADOPTED = { status: 'adopted', requiredMunicipalityIds: [], reason: null, dueDate: null } as const;

t.test('the outcome, its reason and due date, for each combination of amount, amendment and splitting', async (t) => {
  const cases: [string, AdoptionFacts, object][] = [
    ['below the threshold: adopted at once', facts({ totalAmountCents: 9_999_999 }), ADOPTED],
    ['at the threshold: pending, for the threshold', facts({ totalAmountCents: 10_000_000 }), { ...PENDING, reason: 'threshold', dueDate: '2026-04-26' }],
    ['above the threshold under a rule with a higher one: adopted', facts({ totalAmountCents: 12_000_000, rule: { thresholdCents: 15_000_000 } }), ADOPTED],
    ['an amendment that increases to above the threshold: pending', facts({ totalAmountCents: 12_000_000, amendedTotalCents: 11_000_000 }), { ...PENDING, reason: 'threshold' }],
    ['an amendment that keeps the amount: adopted at once', facts({ totalAmountCents: 12_000_000, amendedTotalCents: 12_000_000 }), ADOPTED],
    ['an amendment that lowers the amount: adopted at once', facts({ totalAmountCents: 12_000_000, amendedTotalCents: 20_000_000 }), ADOPTED],
    ['an amendment below the threshold that increases: adopted at once', facts({ totalAmountCents: 9_000_000, amendedTotalCents: 1_000_000 }), ADOPTED],
    ['suspected of splitting under a rule that flags: adopted, the verdict kept', facts({ splitting: SUSPECTED }), { ...ADOPTED, splitting: SUSPECTED }],
    [
      'suspected of splitting under a rule that requires ratification: pending, for splitting',
      facts({ splitting: SUSPECTED, rule: { splitting: { scope: 'applicant_year', action: 'require_ratification' } } }),
      { ...PENDING, reason: 'splitting', dueDate: '2026-04-26', splitting: SUSPECTED },
    ],
    [
      'not suspected under a rule that requires ratification for splitting: adopted',
      facts({ rule: { splitting: { scope: 'applicant_year', action: 'require_ratification' } } }),
      ADOPTED,
    ],
    [
      'at the threshold and suspected: the threshold is the reason',
      facts({ totalAmountCents: 10_000_000, splitting: SUSPECTED, rule: { splitting: { scope: 'programme_year', action: 'require_ratification' } } }),
      { ...PENDING, reason: 'threshold' },
    ],
    [
      'an amendment that keeps the amount but is suspected under require_ratification: pending, for splitting',
      facts({ totalAmountCents: 12_000_000, amendedTotalCents: 12_000_000, splitting: SUSPECTED, rule: { splitting: { scope: 'applicant_year', action: 'require_ratification' } } }),
      { ...PENDING, reason: 'splitting' },
    ],
    ['a rule without a ratification period: pending with no due date', facts({ totalAmountCents: 20_000_000, rule: { ratificationPeriodDays: null } }), { ...PENDING, dueDate: null }],
    ['the due date counts calendar days from the adoption day', facts({ totalAmountCents: 20_000_000, adoptedOn: '2026-12-20', rule: { ratificationPeriodDays: 14 } }), { dueDate: '2027-01-03' }],
  ];
  for (const [name, given, expected] of cases) t.match(decideAdoption(given), expected, name);
});

t.test('the rule, threshold and fund coverage of the moment are frozen into the decision', async (t) => {
  const coverage = { uncommittedCentsBefore: 1_000, sufficient: false };
  t.same(decideAdoption(facts({ totalAmountCents: 20_000_000, fundCoverage: coverage, rule: { version: 7, thresholdCents: 15_000_000 } })), {
    adoptedOn: '2026-03-01',
    ...PENDING,
    reason: 'threshold',
    dueDate: '2026-04-26',
    statuteRuleVersion: 7,
    thresholdCents: 15_000_000,
    splitting: NOT_SUSPECTED,
    fundCoverage: coverage,
  });
  t.equal(decideAdoption(facts({ fundCoverage: null })).fundCoverage, null, 'no coverage computed, none recorded');
});

t.test('an uncovered decision is refused only under a rule that blocks; flagging adopts it', async (t) => {
  const uncovered = { uncommittedCentsBefore: 2_000_000, sufficient: false };
  t.same(attempt(() => decideAdoption(facts({ fundCoverage: uncovered, rule: { fundCheck: 'block' } }))), refused('INSUFFICIENT_FUNDS', 409));
  t.match(decideAdoption(facts({ fundCoverage: uncovered, rule: { fundCheck: 'flag' } })), { status: 'adopted', fundCoverage: uncovered });
  t.match(decideAdoption(facts({ fundCoverage: { uncommittedCentsBefore: 9_000_000, sufficient: true }, rule: { fundCheck: 'block' } })), { status: 'adopted' });
  t.match(decideAdoption(facts({ fundCoverage: null, rule: { fundCheck: 'block' } })), { status: 'adopted' }, 'no coverage known, nothing to block on');
});

t.test('a decision that needs ratification with no centre municipality to give it is refused', async (t) => {
  t.same(attempt(() => decideAdoption(facts({ totalAmountCents: 10_000_000, centreMunicipalityIds: [] }))), refused('NO_CENTRE_MUNICIPALITIES', 409));
  t.match(decideAdoption(facts({ centreMunicipalityIds: [] })), ADOPTED, 'below the threshold it needs none');
});

t.test('only a draft is adopted; every other state is refused before any other fact is weighed', async (t) => {
  for (const status of DECISION_STATUSES.filter((s) => s !== 'draft')) {
    // An uncovered decision under a blocking rule would also be refused: the transition is checked first.
    const given = facts({ status, fundCoverage: { uncommittedCentsBefore: 0, sufficient: false }, rule: { fundCheck: 'block' } });
    t.same(attempt(() => decideAdoption(given)), refused('DECISION_TRANSITION_NOT_ALLOWED', 409), status);
  }
});

t.test('NOT_SUSPECTED is the verdict of no suspicion', async (t) => {
  t.same(NOT_SUSPECTED, { suspected: false, cumulativeCents: null, relatedDecisionIds: [] });
});
