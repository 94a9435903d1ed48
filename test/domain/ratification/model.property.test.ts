import t from 'tap';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { DomainError } from '../../../src/domain/errors.js';
import { assertTransition, type DecisionStatus } from '../../../src/domain/decision-lifecycle.js';
import {
  adoptionOutcome,
  requiresRatification,
  decideVote,
  ratificationStatus,
  type CastVote,
  type VoteOutcome,
} from '../../../src/domain/ratification.js';

/** Version 1 of the statute rules, as migration 0007 creates it. */
const RULE_V1 = { thresholdCents: 10_000_000 };
import { assertConditionFulfillable } from '../../../src/domain/conditions.js';

/*
 * Model-based property test: a random decision and a random sequence of commands are played
 * against the real domain functions (through a small driver) and against an independent
 * reference model written below from the rules alone. After every command both must agree on
 * acceptance, error code, HTTP status, decision status and recorded votes, and the contract's
 * invariants must hold.
 */

const SEED = Number(process.env.FC_SEED ?? 20260215);
const NUM_RUNS = 300;

// ---------------------------------------------------------------------------------------------
// Test-local date arithmetic (no src code)
// ---------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

function dayNumber(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function isoOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function addDays(iso: string, days: number): string {
  return isoOfDay(dayNumber(iso) + days);
}

// ---------------------------------------------------------------------------------------------
// Scenario and commands
// ---------------------------------------------------------------------------------------------

/** A pool of municipalities in non-alphabetical order; the centre municipalities are drawn from it. */
const MUNICIPALITY_POOL = ['gm-sittard-geleen', 'gm-heerlen', 'gm-maastricht', 'gm-kerkrade', 'gm-venlo', 'gm-roermond'];

interface Scenario {
  totalAmountCents: number;
  centreMunicipalityIds: string[];
  boardMeetingDate: string;
  today: string;
}

type DateAnchor = 'boardMeeting' | 'today';

type Command =
  | { kind: 'edit'; totalAmountCents: number }
  | { kind: 'adopt' }
  | { kind: 'withdraw' }
  | {
      kind: 'vote';
      /** Mostly one of the scenario's centre municipalities, sometimes any of the pool (possibly not required). */
      pickFrom: 'centres' | 'pool';
      municipalityIndex: number;
      outcome: VoteOutcome;
      anchor: DateAnchor;
      offsetDays: number;
    }
  | { kind: 'fulfilCondition'; offsetDaysFromToday: number };

const amountArb = fc.oneof(
  fc.integer({ min: 9_999_997, max: 10_000_003 }),
  fc.integer({ min: 1, max: 9_999_999 }),
  fc.integer({ min: 10_000_000, max: 50_000_000 }),
);

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    totalAmountCents: amountArb,
    centreMunicipalityIds: fc.uniqueArray(fc.constantFrom(...MUNICIPALITY_POOL), { maxLength: 4 }),
    boardDay: fc.integer({ min: dayNumber('2025-01-01'), max: dayNumber('2027-12-31') }),
    todayOffset: fc.integer({ min: -1, max: 8 }),
  })
  .map(({ totalAmountCents, centreMunicipalityIds, boardDay, todayOffset }) => ({
    totalAmountCents,
    centreMunicipalityIds,
    boardMeetingDate: isoOfDay(boardDay),
    today: isoOfDay(boardDay + todayOffset),
  }));

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('edit' as const), totalAmountCents: amountArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('adopt' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const) }) },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('vote' as const),
      pickFrom: fc.constantFrom<'centres' | 'pool'>('centres', 'centres', 'centres', 'pool'),
      municipalityIndex: fc.integer({ min: 0, max: MUNICIPALITY_POOL.length - 1 }),
      outcome: fc.constantFrom<VoteOutcome>('approve', 'approve', 'approve', 'approve', 'reject'),
      anchor: fc.constantFrom<DateAnchor>('boardMeeting', 'today'),
      offsetDays: fc.integer({ min: -3, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fulfilCondition' as const),
      offsetDaysFromToday: fc.integer({ min: -2, max: 1 }),
    }),
  },
);

/** Which municipality a vote command speaks for (command materialisation, shared by driver and model). */
function voteMunicipality(scenario: Scenario, command: Extract<Command, { kind: 'vote' }>): string {
  const centres = scenario.centreMunicipalityIds;
  if (command.pickFrom === 'centres' && centres.length > 0) return centres[command.municipalityIndex % centres.length]!;
  return MUNICIPALITY_POOL[command.municipalityIndex]!;
}

function voteDate(scenario: Scenario, command: Extract<Command, { kind: 'vote' }>): string {
  const anchor = command.anchor === 'boardMeeting' ? scenario.boardMeetingDate : scenario.today;
  return addDays(anchor, command.offsetDays);
}

type StepResult = { accepted: true } | { accepted: false; code: string; status: number };

interface RecordedVote {
  municipalityId: string;
  outcome: VoteOutcome;
}

interface Observation {
  result: StepResult;
  status: string;
  totalAmountCents: number;
  requiredMunicipalityIds: string[];
  votes: RecordedVote[];
  conditionFulfilledOn: string | null;
}

// ---------------------------------------------------------------------------------------------
// Driver: the real domain functions
// ---------------------------------------------------------------------------------------------

interface Driver {
  status: DecisionStatus;
  totalAmountCents: number;
  requiredMunicipalityIds: string[];
  votes: CastVote[];
  condition: { dueDate: string; fulfilledOn: string | null };
}

function newDriver(scenario: Scenario): Driver {
  return {
    status: 'draft',
    totalAmountCents: scenario.totalAmountCents,
    requiredMunicipalityIds: [],
    votes: [],
    condition: { dueDate: addDays(scenario.boardMeetingDate, 30), fulfilledOn: null },
  };
}

function runOnDriver(driver: Driver, scenario: Scenario, command: Command): StepResult {
  try {
    switch (command.kind) {
      case 'edit':
        assertTransition(driver.status, 'edit', 'draft');
        driver.totalAmountCents = command.totalAmountCents;
        break;
      case 'adopt': {
        const outcome = adoptionOutcome(driver.status, requiresRatification(driver.totalAmountCents, RULE_V1), scenario.centreMunicipalityIds);
        driver.status = outcome.status;
        driver.requiredMunicipalityIds = outcome.requiredMunicipalityIds;
        break;
      }
      case 'withdraw':
        assertTransition(driver.status, 'withdraw', 'withdrawn');
        driver.status = 'withdrawn';
        break;
      case 'vote': {
        const vote = {
          municipalityId: voteMunicipality(scenario, command),
          outcome: command.outcome,
          decidedOn: voteDate(scenario, command),
        };
        const next = decideVote(
          {
            status: driver.status,
            boardMeetingDate: scenario.boardMeetingDate,
            requiredMunicipalityIds: driver.requiredMunicipalityIds,
            votes: driver.votes,
          },
          vote,
          scenario.today,
        );
        driver.votes = [...driver.votes, { municipalityId: vote.municipalityId, outcome: vote.outcome }];
        assert.equal(
          ratificationStatus(driver.requiredMunicipalityIds, driver.votes),
          next,
          'decideVote and ratificationStatus agree on the recorded votes',
        );
        driver.status = next;
        break;
      }
      case 'fulfilCondition': {
        const fulfilledOn = addDays(scenario.today, command.offsetDaysFromToday);
        assertConditionFulfillable(driver.status, driver.condition, fulfilledOn, scenario.today, scenario.boardMeetingDate);
        assertTransition(driver.status, 'fulfilCondition', driver.status);
        driver.condition = { ...driver.condition, fulfilledOn };
        break;
      }
    }
    return { accepted: true };
  } catch (error) {
    if (error instanceof DomainError) return { accepted: false, code: error.code, status: error.status };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Reference model: written from the rules, calls nothing from src
// ---------------------------------------------------------------------------------------------

const MODEL_THRESHOLD_CENTS = 10_000_000;

const MODEL_HTTP_STATUS: Record<string, number> = {
  DECISION_TRANSITION_NOT_ALLOWED: 409,
  NO_CENTRE_MUNICIPALITIES: 409,
  VOTE_MUNICIPALITY_NOT_REQUIRED: 400,
  VOTE_DATE_OUT_OF_RANGE: 400,
  VOTE_ALREADY_CAST: 409,
  CONDITION_NOT_FULFILLABLE: 409,
  CONDITION_FULFILMENT_DATE_OUT_OF_RANGE: 400,
};

interface Model {
  status: string;
  totalAmountCents: number;
  requiredMunicipalityIds: string[];
  votes: RecordedVote[];
  conditionFulfilledOn: string | null;
}

function newModel(scenario: Scenario): Model {
  return {
    status: 'draft',
    totalAmountCents: scenario.totalAmountCents,
    requiredMunicipalityIds: [],
    votes: [],
    conditionFulfilledOn: null,
  };
}

function modelRefuses(code: string): StepResult {
  return { accepted: false, code, status: MODEL_HTTP_STATUS[code]! };
}

function runOnModel(model: Model, scenario: Scenario, command: Command): StepResult {
  switch (command.kind) {
    case 'edit':
      if (model.status !== 'draft') return modelRefuses('DECISION_TRANSITION_NOT_ALLOWED');
      model.totalAmountCents = command.totalAmountCents;
      return { accepted: true };

    case 'adopt':
      if (model.status !== 'draft') return modelRefuses('DECISION_TRANSITION_NOT_ALLOWED');
      if (model.totalAmountCents < MODEL_THRESHOLD_CENTS) {
        model.status = 'adopted';
        model.requiredMunicipalityIds = [];
        return { accepted: true };
      }
      if (scenario.centreMunicipalityIds.length === 0) return modelRefuses('NO_CENTRE_MUNICIPALITIES');
      model.status = 'pending_ratification';
      model.requiredMunicipalityIds = [...scenario.centreMunicipalityIds].sort();
      return { accepted: true };

    case 'withdraw':
      if (model.status !== 'draft' && model.status !== 'pending_ratification') {
        return modelRefuses('DECISION_TRANSITION_NOT_ALLOWED');
      }
      model.status = 'withdrawn';
      return { accepted: true };

    case 'vote': {
      const municipalityId = voteMunicipality(scenario, command);
      const anchorDay = dayNumber(command.anchor === 'boardMeeting' ? scenario.boardMeetingDate : scenario.today);
      const decidedDay = anchorDay + command.offsetDays;
      if (model.status !== 'pending_ratification') return modelRefuses('DECISION_TRANSITION_NOT_ALLOWED');
      if (!model.requiredMunicipalityIds.includes(municipalityId)) return modelRefuses('VOTE_MUNICIPALITY_NOT_REQUIRED');
      if (decidedDay < dayNumber(scenario.boardMeetingDate) || decidedDay > dayNumber(scenario.today)) {
        return modelRefuses('VOTE_DATE_OUT_OF_RANGE');
      }
      if (model.votes.some((v) => v.municipalityId === municipalityId)) return modelRefuses('VOTE_ALREADY_CAST');
      model.votes.push({ municipalityId, outcome: command.outcome });
      if (model.votes.some((v) => v.outcome === 'reject')) {
        model.status = 'rejected';
      } else if (model.requiredMunicipalityIds.every((id) => model.votes.some((v) => v.municipalityId === id))) {
        model.status = 'ratified';
      }
      return { accepted: true };
    }

    case 'fulfilCondition': {
      if (!['pending_ratification', 'adopted', 'ratified'].includes(model.status)) {
        return modelRefuses('DECISION_TRANSITION_NOT_ALLOWED');
      }
      if (model.conditionFulfilledOn !== null) return modelRefuses('CONDITION_NOT_FULFILLABLE');
      const fulfilledOn = addDays(scenario.today, command.offsetDaysFromToday);
      if (command.offsetDaysFromToday > 0 || fulfilledOn < scenario.boardMeetingDate) {
        return modelRefuses('CONDITION_FULFILMENT_DATE_OUT_OF_RANGE');
      }
      model.conditionFulfilledOn = fulfilledOn;
      return { accepted: true };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison and invariants
// ---------------------------------------------------------------------------------------------

function observeDriver(driver: Driver, result: StepResult): Observation {
  return {
    result,
    status: driver.status,
    totalAmountCents: driver.totalAmountCents,
    requiredMunicipalityIds: [...driver.requiredMunicipalityIds],
    votes: driver.votes.map((v) => ({ municipalityId: v.municipalityId, outcome: v.outcome })),
    conditionFulfilledOn: driver.condition.fulfilledOn,
  };
}

function observeModel(model: Model, result: StepResult): Observation {
  return {
    result,
    status: model.status,
    totalAmountCents: model.totalAmountCents,
    requiredMunicipalityIds: [...model.requiredMunicipalityIds],
    votes: model.votes.map((v) => ({ ...v })),
    conditionFulfilledOn: model.conditionFulfilledOn,
  };
}

const TERMINAL = ['ratified', 'rejected', 'withdrawn'];

function assertInvariants(before: Observation, after: Observation, where: string): void {
  const voters = after.votes.map((v) => v.municipalityId);
  assert.equal(new Set(voters).size, voters.length, `${where}: no municipality has two votes`);

  if (after.status === 'ratified') {
    assert.ok(after.requiredMunicipalityIds.length > 0, `${where}: ratified needs at least one required municipality`);
    const relevant = after.votes.filter((v) => after.requiredMunicipalityIds.includes(v.municipalityId));
    assert.ok(
      relevant.every((v) => v.outcome === 'approve'),
      `${where}: never ratified with a rejection`,
    );
    for (const id of after.requiredMunicipalityIds) {
      assert.ok(
        after.votes.some((v) => v.municipalityId === id && v.outcome === 'approve'),
        `${where}: never ratified with a missing approval (${id})`,
      );
    }
  }

  if (TERMINAL.includes(before.status)) {
    assert.equal(after.status, before.status, `${where}: a terminal state never changes`);
    assert.deepEqual(after.votes, before.votes, `${where}: no vote is recorded after a terminal state`);
  }

  if (before.status !== 'draft') {
    assert.deepEqual(
      after.requiredMunicipalityIds,
      before.requiredMunicipalityIds,
      `${where}: the required municipalities stay frozen after adoption`,
    );
  }

  for (const vote of after.votes) {
    assert.ok(after.requiredMunicipalityIds.includes(vote.municipalityId), `${where}: only required municipalities vote`);
  }
}

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

interface Coverage {
  finalStatus: Record<string, number>;
  errorCodes: Record<string, number>;
  acceptedVotes: number;
}

function runScenario(scenario: Scenario, commands: Command[], coverage: Coverage): void {
  const driver = newDriver(scenario);
  const model = newModel(scenario);
  let previous = observeDriver(driver, { accepted: true });

  commands.forEach((command, index) => {
    const where = `step ${index} ${JSON.stringify(command)}`;
    const real = observeDriver(driver, runOnDriver(driver, scenario, command));
    const expected = observeModel(model, runOnModel(model, scenario, command));
    assert.deepEqual(real, expected, `${where}: the domain disagrees with the reference model`);
    assertInvariants(previous, real, where);

    if (real.result.accepted) {
      if (command.kind === 'vote') coverage.acceptedVotes += 1;
    } else {
      coverage.errorCodes[real.result.code] = (coverage.errorCodes[real.result.code] ?? 0) + 1;
    }
    previous = real;
  });

  coverage.finalStatus[driver.status] = (coverage.finalStatus[driver.status] ?? 0) + 1;
}

t.test(`the domain agrees with the reference model on random command sequences (FC_SEED=${SEED})`, async (t) => {
  const coverage: Coverage = { finalStatus: {}, errorCodes: {}, acceptedVotes: 0 };
  const property = fc.property(scenarioArb, fc.array(commandArb, { minLength: 1, maxLength: 30, size: 'max' }), (scenario, commands) => {
    runScenario(scenario, commands, coverage);
  });

  try {
    fc.assert(property, { seed: SEED, numRuns: NUM_RUNS });
    t.pass(`${NUM_RUNS} runs agree`);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `\ncause: ${error.cause.message}` : '';
    t.fail(`property failed; reproduce with FC_SEED=${SEED}\n${error instanceof Error ? error.message : String(error)}${cause}`);
    return; // the coverage counts of a failed (and shrunk) run say nothing
  }

  t.comment(`coverage: ${JSON.stringify(coverage)}`);
  // The property is only meaningful if the interesting outcomes are actually reached.
  for (const status of ['draft', 'adopted', 'pending_ratification', 'ratified', 'rejected', 'withdrawn']) {
    t.ok((coverage.finalStatus[status] ?? 0) > 0, `some run ends '${status}'`);
  }
  for (const code of Object.keys(MODEL_HTTP_STATUS)) {
    t.ok((coverage.errorCodes[code] ?? 0) > 0, `some step is refused with ${code}`);
  }
  t.ok(coverage.acceptedVotes > 0, 'some votes are accepted');
});

t.test('the reference model itself follows the rules on a hand-written scenario', async (t) => {
  const scenario: Scenario = {
    totalAmountCents: 10_000_000,
    centreMunicipalityIds: ['gm-maastricht', 'gm-heerlen'],
    boardMeetingDate: '2026-01-20',
    today: '2026-02-15',
  };
  const model = newModel(scenario);
  const heerlen = MUNICIPALITY_POOL.indexOf('gm-heerlen');
  const maastricht = MUNICIPALITY_POOL.indexOf('gm-maastricht');
  const venlo = MUNICIPALITY_POOL.indexOf('gm-venlo');
  const vote = (municipalityIndex: number, offsetDays = 0): Command => ({
    kind: 'vote',
    pickFrom: 'pool',
    municipalityIndex,
    outcome: 'approve',
    anchor: 'today',
    offsetDays,
  });

  t.same(runOnModel(model, scenario, vote(heerlen)), { accepted: false, code: 'DECISION_TRANSITION_NOT_ALLOWED', status: 409 });
  t.same(runOnModel(model, scenario, { kind: 'adopt' }), { accepted: true });
  t.equal(model.status, 'pending_ratification');
  t.same(model.requiredMunicipalityIds, ['gm-heerlen', 'gm-maastricht']);
  t.same(runOnModel(model, scenario, vote(venlo)), { accepted: false, code: 'VOTE_MUNICIPALITY_NOT_REQUIRED', status: 400 });
  t.same(runOnModel(model, scenario, vote(heerlen, 1)), { accepted: false, code: 'VOTE_DATE_OUT_OF_RANGE', status: 400 });
  t.same(runOnModel(model, scenario, vote(heerlen)), { accepted: true });
  t.same(runOnModel(model, scenario, vote(heerlen)), { accepted: false, code: 'VOTE_ALREADY_CAST', status: 409 });
  t.equal(model.status, 'pending_ratification');
  t.same(runOnModel(model, scenario, vote(maastricht)), { accepted: true });
  t.equal(model.status, 'ratified');
  t.same(runOnModel(model, scenario, { kind: 'withdraw' }), { accepted: false, code: 'DECISION_TRANSITION_NOT_ALLOWED', status: 409 });
  t.same(runOnModel(model, scenario, { kind: 'fulfilCondition', offsetDaysFromToday: 0 }), { accepted: true });
  t.same(runOnModel(model, scenario, { kind: 'fulfilCondition', offsetDaysFromToday: 0 }), {
    accepted: false,
    code: 'CONDITION_NOT_FULFILLABLE',
    status: 409,
  });
});
