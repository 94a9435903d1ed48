import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { assertNewRuleEffective, ratificationDueDate, ruleInForce, ruleInForceOn } from '../../src/domain/statute.js';

/** Which rule applies on a date, when a new rule may take effect, and the ratification deadline. */
const rules = [
  { version: 1, effectiveFrom: '2000-01-01' },
  { version: 3, effectiveFrom: '2027-01-01' },
  { version: 2, effectiveFrom: '2026-03-01' },
];

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? `${error.status} ${error.code} ${error.errors?.[0]?.path}` : 'other';
  }
}

t.test('the rule in force on a date is the one with the latest effectiveFrom on or before it', async (t) => {
  const cases: [string, number][] = [
    ['2000-01-01', 1],
    ['2026-02-28', 1],
    ['2026-03-01', 2],
    ['2026-12-31', 2],
    ['2027-01-01', 3],
    ['2099-01-01', 3],
  ];
  for (const [date, version] of cases) t.equal(ruleInForce(rules, date).version, version, date);
  t.throws(() => ruleInForce(rules, '1999-12-31'), 'no rule before version 1');
  for (const [date, version] of cases) t.equal(ruleInForceOn(rules, date)?.version, version, `ruleInForceOn ${date}`);
  t.equal(ruleInForceOn(rules, '1999-12-31'), undefined, 'ruleInForceOn: none before version 1');
  t.equal(ruleInForceOn([], '2026-03-01'), undefined, 'none among no rules');
});

t.test('a new rule takes effect today or later (400) and after the latest rule (409)', async (t) => {
  t.equal(code(() => assertNewRuleEffective('2026-02-28', '2026-03-01', '2000-01-01')), '400 VALIDATION_FAILED /effectiveFrom', 'yesterday');
  t.equal(code(() => assertNewRuleEffective('2026-03-01', '2026-03-01', '2000-01-01')), undefined, 'today');
  t.equal(code(() => assertNewRuleEffective('2026-03-02', '2026-03-01', '2000-01-01')), undefined, 'tomorrow');
  t.equal(code(() => assertNewRuleEffective('2026-06-01', '2026-03-01', '2026-06-01')), '409 STATUTE_RULE_NOT_LATEST /effectiveFrom', 'the same day as the latest');
  t.equal(code(() => assertNewRuleEffective('2026-05-31', '2026-03-01', '2026-06-01')), '409 STATUTE_RULE_NOT_LATEST /effectiveFrom', 'before the latest');
  t.equal(code(() => assertNewRuleEffective('2026-06-02', '2026-03-01', '2026-06-01')), undefined, 'after the latest');
});

t.test('the ratification due date is the adoption day plus the period, across month and year ends', async (t) => {
  t.equal(ratificationDueDate('2026-03-01', null), null);
  t.equal(ratificationDueDate('2026-03-01', 1), '2026-03-02');
  t.equal(ratificationDueDate('2026-01-31', 30), '2026-03-02');
  t.equal(ratificationDueDate('2026-12-15', 365), '2027-12-15');
  t.equal(ratificationDueDate('2028-02-28', 1), '2028-02-29');
});
