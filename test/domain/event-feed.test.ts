import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { matchesFeedFilter, parseEventTypes } from '../../src/domain/event-feed.js';

const P = 'programme-1';
const M = 'municipality-1';
const event = { type: 'vote.cast', programmeIds: [P, 'programme-2'], municipalityIds: [M] };

t.test('matchesFeedFilter selects by type, programme and municipality, all of them when given', async (t) => {
  const cases: [string, Parameters<typeof matchesFeedFilter>[1], boolean][] = [
    ['no filter', {}, true],
    ['its type', { types: ['decision.ratified', 'vote.cast'] }, true],
    ['another type', { types: ['decision.ratified'] }, false],
    ['a programme it funds', { programmeId: P }, true],
    ['a programme it does not fund', { programmeId: 'programme-3' }, false],
    ['a municipality it requires', { municipalityId: M }, true],
    ['a municipality it does not require', { municipalityId: 'municipality-2' }, false],
    ['all three matching', { types: ['vote.cast'], programmeId: 'programme-2', municipalityId: M }, true],
    ['two of three matching', { types: ['vote.cast'], programmeId: 'programme-2', municipalityId: 'municipality-2' }, false],
  ];
  for (const [what, filter, expected] of cases) t.equal(matchesFeedFilter(event, filter), expected, what);
  t.equal(matchesFeedFilter({ ...event, municipalityIds: [] }, { municipalityId: M }), false, 'an event that requires no municipality matches no municipality filter');
});

t.test('parseEventTypes accepts published types only, comma-separated', async (t) => {
  t.equal(parseEventTypes(undefined), undefined, 'absent: every type');
  t.same(parseEventTypes('vote.cast,decision.ratified'), ['vote.cast', 'decision.ratified']);
  t.same(parseEventTypes('vote.cast, vote.cast'), ['vote.cast'], 'spaces trimmed, repeats once');
  t.same(parseEventTypes('college_decision.recorded'), ['college_decision.recorded']);
  for (const text of ['', 'decision.exploded', 'vote.cast,', 'decision.created', 'statute_rule.created', 'apikey.created']) {
    try {
      parseEventTypes(text);
      t.fail(`${JSON.stringify(text)} was accepted`);
    } catch (error) {
      t.ok(error instanceof DomainError && error.status === 400 && error.errors?.[0]?.path === '/types', `${JSON.stringify(text)}: 400 at /types`);
    }
  }
});
