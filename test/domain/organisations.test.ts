import t from 'tap';
import { assertCentreIsMunicipality, isCentreMunicipality, ORGANISATION_KINDS } from '../../src/domain/organisations.js';
import { DomainError } from '../../src/domain/errors.js';
import { attempt, OK, refused } from '../helpers/attempt.js';

/** Only a municipality's college ratifies, so only a municipality can be a centre municipality. */
t.test('only a municipality may be a centre municipality; any kind may be an ordinary one', async (t) => {
  for (const kind of ORGANISATION_KINDS) {
    t.same(attempt(() => assertCentreIsMunicipality({ kind, centreMunicipality: false })), OK, `${kind}, not a centre`);
    const asCentre = attempt(() => assertCentreIsMunicipality({ kind, centreMunicipality: true }));
    t.same(asCentre, kind === 'municipality' ? OK : refused('CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY', 400), `${kind} as a centre`);
  }
});

t.test('the refusal points at /centreMunicipality', async (t) => {
  const error = t.throws(() => assertCentreIsMunicipality({ kind: 'foundation', centreMunicipality: true })) as DomainError;
  t.same(error.errors, [{ path: '/centreMunicipality', message: "may only be true when kind is 'municipality'" }]);
});

t.test('a centre municipality is a municipality marked as centre; an unknown organisation is none', async (t) => {
  t.equal(isCentreMunicipality({ kind: 'municipality', centreMunicipality: true }), true);
  t.equal(isCentreMunicipality({ kind: 'municipality', centreMunicipality: false }), false);
  t.equal(isCentreMunicipality({ kind: 'foundation', centreMunicipality: true }), false, 'a flag on another kind does not count');
  t.equal(isCentreMunicipality(undefined), false);
});
