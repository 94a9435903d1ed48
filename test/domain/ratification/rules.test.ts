import t from 'tap';
import type { DecisionStatus } from '../../../src/domain/decision-lifecycle.js';
import {
  adoptionOutcome,
  bindingSince,
  decideVote,
  isRatificationOverdue,
  ratificationStatus,
  requiresRatification,
  wasAskedToRatify,
  type CastVote,
  type VoteRequest,
  type VoteTarget,
} from '../../../src/domain/ratification.js';
import { attempt, refused, type Attempt } from '../../helpers/attempt.js';

/** Version 1 of the statute rules, as migration 0007 creates it. */
const RULE_V1 = { thresholdCents: 10_000_000 };

const returned = (value: unknown): Attempt => ({ returned: value });

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const TODAY = '2026-02-15';
const BOARD_MEETING = '2026-01-20';

/** Three centre municipalities, deliberately not in alphabetical order. */
function centreMunicipalities(): string[] {
  return ['gm-sittard-geleen', 'gm-heerlen', 'gm-maastricht'];
}

function pendingDecision(overrides: Partial<VoteTarget> = {}): VoteTarget {
  return {
    status: 'pending_ratification',
    boardMeetingDate: BOARD_MEETING,
    requiredMunicipalityIds: ['gm-heerlen', 'gm-maastricht', 'gm-sittard-geleen'],
    votes: [],
    ...overrides,
  };
}

function voteRequest(overrides: Partial<VoteRequest> = {}): VoteRequest {
  return { municipalityId: 'gm-heerlen', outcome: 'approve', decidedOn: '2026-02-01', ...overrides };
}

const approve = (municipalityId: string): CastVote => ({ municipalityId, outcome: 'approve' });
const reject = (municipalityId: string): CastVote => ({ municipalityId, outcome: 'reject' });

const NON_DRAFT_STATES: DecisionStatus[] = ['pending_ratification', 'adopted', 'ratified', 'rejected', 'withdrawn'];
const NON_PENDING_STATES: DecisionStatus[] = ['draft', 'adopted', 'ratified', 'rejected', 'withdrawn'];

// ---------------------------------------------------------------------------------------------
// Threshold
// ---------------------------------------------------------------------------------------------

t.test('the ratification threshold is EUR 100,000, i.e. 10,000,000 cents', async (t) => {
  t.equal(RULE_V1.thresholdCents, 10_000_000);
});

t.test('a total of 9,999,999 cents does not need ratification and is adopted at once', async (t) => {
  t.equal(requiresRatification(9_999_999, RULE_V1), false);
  t.same(adoptionOutcome('draft', requiresRatification(9_999_999, RULE_V1), centreMunicipalities()), { status: 'adopted', requiredMunicipalityIds: [] });
});

t.test('a total of exactly 10,000,000 cents needs ratification and goes pending', async (t) => {
  t.equal(requiresRatification(10_000_000, RULE_V1), true);
  t.same(adoptionOutcome('draft', requiresRatification(10_000_000, RULE_V1), centreMunicipalities()), {
    status: 'pending_ratification',
    requiredMunicipalityIds: ['gm-heerlen', 'gm-maastricht', 'gm-sittard-geleen'],
  });
});

t.test('a total of 10,000,001 cents needs ratification and goes pending', async (t) => {
  t.equal(requiresRatification(10_000_001, RULE_V1), true);
  t.same(adoptionOutcome('draft', requiresRatification(10_000_001, RULE_V1), centreMunicipalities()), {
    status: 'pending_ratification',
    requiredMunicipalityIds: ['gm-heerlen', 'gm-maastricht', 'gm-sittard-geleen'],
  });
});

// ---------------------------------------------------------------------------------------------
// Adoption
// ---------------------------------------------------------------------------------------------

t.test('adoption freezes a sorted copy of the centre municipalities', async (t) => {
  const input = centreMunicipalities();
  const outcome = adoptionOutcome('draft', requiresRatification(25_000_000, RULE_V1), input);
  t.same(outcome.requiredMunicipalityIds, ['gm-heerlen', 'gm-maastricht', 'gm-sittard-geleen']);
  t.not(outcome.requiredMunicipalityIds, input, 'is not the input array itself');
  t.same(input, ['gm-sittard-geleen', 'gm-heerlen', 'gm-maastricht'], 'does not sort the input in place');

  input.push('gm-kerkrade');
  input[0] = 'gm-venlo';
  input.reverse();
  t.same(
    outcome.requiredMunicipalityIds,
    ['gm-heerlen', 'gm-maastricht', 'gm-sittard-geleen'],
    'mutating the input afterwards leaves the frozen set alone',
  );
});

t.test('adoption below the threshold requires no municipality even when centre municipalities exist', async (t) => {
  const outcome = adoptionOutcome('draft', requiresRatification(1, RULE_V1), centreMunicipalities());
  t.same(outcome, { status: 'adopted', requiredMunicipalityIds: [] });
});

t.test('adoption below the threshold succeeds when no centre municipality exists', async (t) => {
  t.same(adoptionOutcome('draft', requiresRatification(9_999_999, RULE_V1), []), { status: 'adopted', requiredMunicipalityIds: [] });
});

t.test('adoption that needs ratification with no centre municipality answers 409 NO_CENTRE_MUNICIPALITIES', async (t) => {
  t.same(attempt(() => adoptionOutcome('draft', requiresRatification(10_000_000, RULE_V1), [])), refused('NO_CENTRE_MUNICIPALITIES', 409));
  t.same(attempt(() => adoptionOutcome('draft', requiresRatification(500_000_000, RULE_V1), [])), refused('NO_CENTRE_MUNICIPALITIES', 409));
});

t.test('adoption with a single centre municipality requires exactly that one', async (t) => {
  t.same(adoptionOutcome('draft', requiresRatification(10_000_000, RULE_V1), ['gm-maastricht']), {
    status: 'pending_ratification',
    requiredMunicipalityIds: ['gm-maastricht'],
  });
});

for (const state of NON_DRAFT_STATES) {
  t.test(`refuses to adopt a decision that is '${state}' with 409, below and above the threshold`, async (t) => {
    const transition = refused('DECISION_TRANSITION_NOT_ALLOWED', 409);
    t.same(attempt(() => adoptionOutcome(state, requiresRatification(9_999_999, RULE_V1), centreMunicipalities())), transition, 'below');
    t.same(attempt(() => adoptionOutcome(state, requiresRatification(10_000_000, RULE_V1), centreMunicipalities())), transition, 'at');
    t.same(
      attempt(() => adoptionOutcome(state, requiresRatification(10_000_000, RULE_V1), [])),
      transition,
      'a forbidden adoption is a transition error even when no centre municipality exists',
    );
  });
}

// ---------------------------------------------------------------------------------------------
// ratificationStatus
// ---------------------------------------------------------------------------------------------

const REQUIRED = ['gm-heerlen', 'gm-maastricht', 'gm-sittard-geleen'];

t.test('a decision nobody has voted on stays pending', async (t) => {
  t.equal(ratificationStatus(REQUIRED, []), 'pending_ratification');
});

t.test('a decision with only some approvals stays pending', async (t) => {
  t.equal(ratificationStatus(REQUIRED, [approve('gm-heerlen')]), 'pending_ratification');
  t.equal(ratificationStatus(REQUIRED, [approve('gm-heerlen'), approve('gm-sittard-geleen')]), 'pending_ratification');
});

t.test('a decision every required municipality approved is ratified, whatever the voting order', async (t) => {
  t.equal(
    ratificationStatus(REQUIRED, [approve('gm-sittard-geleen'), approve('gm-heerlen'), approve('gm-maastricht')]),
    'ratified',
  );
  t.equal(ratificationStatus(['gm-maastricht'], [approve('gm-maastricht')]), 'ratified');
});

t.test('one rejection among approvals rejects the decision', async (t) => {
  t.equal(
    ratificationStatus(REQUIRED, [approve('gm-heerlen'), reject('gm-maastricht'), approve('gm-sittard-geleen')]),
    'rejected',
  );
});

t.test('a rejection as the very first vote rejects the decision at once', async (t) => {
  t.equal(ratificationStatus(REQUIRED, [reject('gm-sittard-geleen')]), 'rejected');
});

t.test('votes from a municipality that is not required are ignored', async (t) => {
  t.equal(
    ratificationStatus(REQUIRED, [reject('gm-venlo')]),
    'pending_ratification',
    'a rejection from outside does not reject',
  );
  t.equal(
    ratificationStatus(REQUIRED, [approve('gm-heerlen'), approve('gm-maastricht'), approve('gm-venlo')]),
    'pending_ratification',
    'an approval from outside does not stand in for a missing one',
  );
  t.equal(
    ratificationStatus(REQUIRED, [
      reject('gm-venlo'),
      approve('gm-heerlen'),
      approve('gm-maastricht'),
      approve('gm-sittard-geleen'),
    ]),
    'ratified',
    'a rejection from outside does not block ratification',
  );
});

// ---------------------------------------------------------------------------------------------
// decideVote: happy path
// ---------------------------------------------------------------------------------------------

t.test('the first approval keeps the decision pending', async (t) => {
  t.equal(decideVote(pendingDecision(), voteRequest(), TODAY), 'pending_ratification');
});

t.test('the last missing approval ratifies the decision', async (t) => {
  const decision = pendingDecision({ votes: [approve('gm-heerlen'), approve('gm-sittard-geleen')] });
  t.equal(decideVote(decision, voteRequest({ municipalityId: 'gm-maastricht' }), TODAY), 'ratified');
});

t.test('a rejection rejects the decision even after other approvals', async (t) => {
  const decision = pendingDecision({ votes: [approve('gm-heerlen')] });
  t.equal(decideVote(decision, voteRequest({ municipalityId: 'gm-maastricht', outcome: 'reject' }), TODAY), 'rejected');
});

t.test('deciding a vote does not record it on the decision it was given', async (t) => {
  const decision = pendingDecision({ votes: [approve('gm-heerlen')] });
  decideVote(decision, voteRequest({ municipalityId: 'gm-maastricht' }), TODAY);
  t.same(decision.votes, [approve('gm-heerlen')]);
});

// ---------------------------------------------------------------------------------------------
// decideVote: each error row of the contract
// ---------------------------------------------------------------------------------------------

for (const state of NON_PENDING_STATES) {
  t.test(`refuses a vote on a decision that is '${state}' with 409 DECISION_TRANSITION_NOT_ALLOWED`, async (t) => {
    t.same(
      attempt(() => decideVote(pendingDecision({ status: state }), voteRequest(), TODAY)),
      refused('DECISION_TRANSITION_NOT_ALLOWED', 409),
    );
  });
}

t.test('refuses a vote from a municipality that is not asked to ratify with 400', async (t) => {
  t.same(
    attempt(() => decideVote(pendingDecision(), voteRequest({ municipalityId: 'gm-venlo' }), TODAY)),
    refused('VOTE_MUNICIPALITY_NOT_REQUIRED', 400),
  );
});

t.test('points the not-required error at /municipalityId', async (t) => {
  try {
    decideVote(pendingDecision(), voteRequest({ municipalityId: 'gm-venlo' }), TODAY);
    t.fail('should have thrown');
  } catch (error) {
    t.match(error, { code: 'VOTE_MUNICIPALITY_NOT_REQUIRED', errors: [{ path: '/municipalityId' }] });
  }
});

t.test('refuses a vote decided before the board meeting with 400 VOTE_DATE_OUT_OF_RANGE', async (t) => {
  t.same(
    attempt(() => decideVote(pendingDecision(), voteRequest({ decidedOn: '2026-01-19' }), TODAY)),
    refused('VOTE_DATE_OUT_OF_RANGE', 400),
  );
});

t.test('refuses a vote decided after today with 400 VOTE_DATE_OUT_OF_RANGE', async (t) => {
  t.same(
    attempt(() => decideVote(pendingDecision(), voteRequest({ decidedOn: '2026-02-16' }), TODAY)),
    refused('VOTE_DATE_OUT_OF_RANGE', 400),
  );
});

t.test('points the date error at /decidedOn', async (t) => {
  try {
    decideVote(pendingDecision(), voteRequest({ decidedOn: '2026-02-16' }), TODAY);
    t.fail('should have thrown');
  } catch (error) {
    t.match(error, { code: 'VOTE_DATE_OUT_OF_RANGE', errors: [{ path: '/decidedOn' }] });
  }
});

t.test('rejects a second vote from the same college with 409 VOTE_ALREADY_CAST', async (t) => {
  const decision = pendingDecision({ votes: [approve('gm-heerlen')] });
  t.same(attempt(() => decideVote(decision, voteRequest(), TODAY)), refused('VOTE_ALREADY_CAST', 409), 'same outcome');
  t.same(
    attempt(() => decideVote(decision, voteRequest({ outcome: 'reject' }), TODAY)),
    refused('VOTE_ALREADY_CAST', 409),
    'a changed mind is still refused: votes are final',
  );
});

// ---------------------------------------------------------------------------------------------
// decideVote: check order when several checks fail at once
// ---------------------------------------------------------------------------------------------

t.test('a vote on a non-pending decision from a non-required municipality gets the transition error', async (t) => {
  const decision = pendingDecision({ status: 'adopted', requiredMunicipalityIds: [] });
  t.same(
    attempt(() => decideVote(decision, voteRequest({ municipalityId: 'gm-venlo' }), TODAY)),
    refused('DECISION_TRANSITION_NOT_ALLOWED', 409),
  );
});

t.test('a vote on a ratified decision failing every later check gets the transition error', async (t) => {
  const decision = pendingDecision({
    status: 'ratified',
    votes: [approve('gm-heerlen'), approve('gm-maastricht'), approve('gm-sittard-geleen')],
  });
  t.same(
    attempt(() => decideVote(decision, voteRequest({ decidedOn: '2027-01-01' }), TODAY)),
    refused('DECISION_TRANSITION_NOT_ALLOWED', 409),
  );
});

t.test('a vote from a non-required municipality with a date out of range gets VOTE_MUNICIPALITY_NOT_REQUIRED', async (t) => {
  t.same(
    attempt(() => decideVote(pendingDecision(), voteRequest({ municipalityId: 'gm-venlo', decidedOn: '2025-12-01' }), TODAY)),
    refused('VOTE_MUNICIPALITY_NOT_REQUIRED', 400),
  );
});

t.test('a repeated vote from a non-required municipality gets VOTE_MUNICIPALITY_NOT_REQUIRED', async (t) => {
  const decision = pendingDecision({ votes: [approve('gm-venlo')] });
  t.same(
    attempt(() => decideVote(decision, voteRequest({ municipalityId: 'gm-venlo' }), TODAY)),
    refused('VOTE_MUNICIPALITY_NOT_REQUIRED', 400),
  );
});

t.test('a repeated vote with a date out of range gets VOTE_DATE_OUT_OF_RANGE, not VOTE_ALREADY_CAST', async (t) => {
  const decision = pendingDecision({ votes: [approve('gm-heerlen')] });
  t.same(
    attempt(() => decideVote(decision, voteRequest({ decidedOn: '2026-02-16' }), TODAY)),
    refused('VOTE_DATE_OUT_OF_RANGE', 400),
    'after today',
  );
  t.same(
    attempt(() => decideVote(decision, voteRequest({ decidedOn: '2026-01-19' }), TODAY)),
    refused('VOTE_DATE_OUT_OF_RANGE', 400),
    'before the board meeting',
  );
});

// ---------------------------------------------------------------------------------------------
// decideVote: date boundaries
// ---------------------------------------------------------------------------------------------

t.test('accepts a vote decided on the day of the board meeting', async (t) => {
  t.same(attempt(() => decideVote(pendingDecision(), voteRequest({ decidedOn: BOARD_MEETING }), TODAY)), returned('pending_ratification'));
});

t.test('accepts a vote decided today', async (t) => {
  t.same(attempt(() => decideVote(pendingDecision(), voteRequest({ decidedOn: TODAY }), TODAY)), returned('pending_ratification'));
});

t.test('refuses a vote decided one day before the board meeting', async (t) => {
  t.same(
    attempt(() => decideVote(pendingDecision(), voteRequest({ decidedOn: '2026-01-19' }), TODAY)),
    refused('VOTE_DATE_OUT_OF_RANGE', 400),
  );
});

t.test('refuses a vote decided one day after today', async (t) => {
  t.same(
    attempt(() => decideVote(pendingDecision(), voteRequest({ decidedOn: '2026-02-16' }), TODAY)),
    refused('VOTE_DATE_OUT_OF_RANGE', 400),
  );
});

t.test('handles a board meeting on the first of a month: the last day of the previous month is too early', async (t) => {
  const decision = pendingDecision({ boardMeetingDate: '2026-03-01' });
  t.same(
    attempt(() => decideVote(decision, voteRequest({ decidedOn: '2026-02-28' }), '2026-03-10')),
    refused('VOTE_DATE_OUT_OF_RANGE', 400),
  );
  t.same(attempt(() => decideVote(decision, voteRequest({ decidedOn: '2026-03-01' }), '2026-03-10')), returned('pending_ratification'));
});

t.test('accepts only that one day when the board met today', async (t) => {
  const decision = pendingDecision({ boardMeetingDate: TODAY });
  t.same(attempt(() => decideVote(decision, voteRequest({ decidedOn: TODAY }), TODAY)), returned('pending_ratification'));
  t.same(attempt(() => decideVote(decision, voteRequest({ decidedOn: '2026-02-14' }), TODAY)), refused('VOTE_DATE_OUT_OF_RANGE', 400));
  t.same(attempt(() => decideVote(decision, voteRequest({ decidedOn: '2026-02-16' }), TODAY)), refused('VOTE_DATE_OUT_OF_RANGE', 400));
});

t.test('a decision binds from the day its adoption took effect, or from the day the last college decided', async (t) => {
  const votes = [{ decidedOn: '2026-02-10' }, { decidedOn: '2026-03-02' }, { decidedOn: '2026-02-20' }];
  const on = '2025-11-19'; // recorded weeks later: the day it took effect counts, not the recording
  t.equal(bindingSince({ adoptedOn: on, status: 'adopted', ratification: { reason: null, votes: [] } }), '2025-11-19', 'the adoption day');
  t.equal(bindingSince({ adoptedOn: on, status: 'ratified', ratification: { reason: 'threshold', votes } }), '2026-03-02', 'last college');
  t.equal(bindingSince({ adoptedOn: on, status: 'settled', ratification: { reason: 'threshold', votes } }), '2026-03-02', 'settling keeps it');
  t.equal(bindingSince({ adoptedOn: on, status: 'superseded', ratification: { reason: null, votes: [] } }), '2025-11-19');
  t.equal(bindingSince({ adoptedOn: on, status: 'pending_ratification', ratification: { reason: 'threshold', votes } }), null);
  t.equal(bindingSince({ adoptedOn: on, status: 'rejected', ratification: { reason: 'threshold', votes } }), null);
  t.equal(bindingSince({ adoptedOn: on, status: 'withdrawn', ratification: { reason: 'threshold', votes: [] } }), null);
  t.equal(bindingSince({ adoptedOn: null, status: 'draft', ratification: { reason: null, votes: [] } }), null);
});

t.test('ratification is overdue from the day after its due date, while the colleges are awaited', async (t) => {
  const cases: [DecisionStatus, string | null, string, boolean][] = [
    ['pending_ratification', '2026-03-11', '2026-03-12', true],
    ['pending_ratification', '2026-03-12', '2026-03-12', false],
    ['pending_ratification', '2026-03-13', '2026-03-12', false],
    ['pending_ratification', null, '2030-01-01', false],
    ['ratified', '2026-03-11', '2026-03-12', false],
    ['rejected', '2026-03-11', '2026-03-12', false],
    ['withdrawn', '2026-03-11', '2026-03-12', false],
    ['draft', '2026-03-11', '2026-03-12', false],
  ];
  for (const [status, dueDate, today, overdue] of cases) t.equal(isRatificationOverdue(status, dueDate, today), overdue, `${status} due ${dueDate} on ${today}`);
});

t.test('the colleges were asked to ratify when adoption froze who must approve', async (t) => {
  t.equal(wasAskedToRatify({ requiredMunicipalityIds: centreMunicipalities() }), true);
  t.equal(wasAskedToRatify({ requiredMunicipalityIds: [] }), false);
});
