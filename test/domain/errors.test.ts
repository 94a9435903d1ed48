import t from 'tap';
import { allProblems, DomainError, Problems } from '../../src/domain/errors.js';

/** Several problems in one answer: the first decides code and status, `errors` lists them all with their codes. */
const municipality = () =>
  new DomainError('VOTE_MUNICIPALITY_NOT_REQUIRED', 'Municipality m is not asked.', [{ path: '/municipalityId', message: 'is not required' }]);
const date = () => new DomainError('VOTE_DATE_OUT_OF_RANGE', 'decidedOn is out of range.', [{ path: '/decidedOn', message: 'must be between' }]);
const voted = () => new DomainError('VOTE_ALREADY_CAST', 'Already voted.');

t.test('one problem is answered as itself', async (t) => {
  const only = date();
  t.equal(allProblems([only]), only);
  t.same(only.problems, [only], 'a problem is its own list of problems');
});

t.test('several problems: the first decides code and status, every entry carries its code', async (t) => {
  const combined = allProblems([voted(), municipality(), date()]);
  t.equal(combined.code, 'VOTE_ALREADY_CAST');
  t.equal(combined.status, 409);
  t.same(combined.errors, [
    { path: '/', message: 'Already voted.', code: 'VOTE_ALREADY_CAST' },
    { path: '/municipalityId', message: 'is not required', code: 'VOTE_MUNICIPALITY_NOT_REQUIRED' },
    { path: '/decidedOn', message: 'must be between', code: 'VOTE_DATE_OUT_OF_RANGE' },
  ]);
  t.equal(combined.message, 'The request has 3 problems: Already voted. Municipality m is not asked. decidedOn is out of range.');
  t.equal(combined.problems.length, 3);
  t.same(allProblems([combined, municipality()]).problems.map((p) => p.code), ['VOTE_ALREADY_CAST', 'VOTE_MUNICIPALITY_NOT_REQUIRED', 'VOTE_DATE_OUT_OF_RANGE', 'VOTE_MUNICIPALITY_NOT_REQUIRED'], 'combined problems flatten');
  t.throws(() => allProblems([]), /at least one problem/);
});

t.test('Problems collects what checks throw, lets other errors through, and throws nothing when all pass', async (t) => {
  const problems = new Problems();
  t.equal(problems.check(() => 42), 42, 'a passing check answers its result');
  t.notOk(problems.any);
  t.doesNotThrow(() => problems.throwIfAny());
  t.equal(problems.check(() => { throw date(); }), undefined);
  t.equal(await problems.checkAsync(async () => { throw municipality(); }), undefined);
  t.equal(await problems.checkAsync(async () => 'read'), 'read');
  t.throws(() => problems.check(() => { throw new TypeError('a bug'); }), TypeError, 'a bug is not a problem of the request');
  await t.rejects(problems.checkAsync(async () => { throw new TypeError('a bug'); }), TypeError);
  t.ok(problems.any);
  t.throws(() => problems.throwIfAny(), { code: 'VOTE_DATE_OUT_OF_RANGE', status: 400, problems: [{ code: 'VOTE_DATE_OUT_OF_RANGE' }, { code: 'VOTE_MUNICIPALITY_NOT_REQUIRED' }] });
});
