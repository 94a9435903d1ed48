import t from 'tap';
import { ACCESS, assertActsFor, assertMayDesignateCentreMunicipalities, municipalityScope, ROLES, SYSTEM_PRINCIPAL, type Principal } from '../../src/domain/access.js';
import { attempt, OK, refused } from '../helpers/attempt.js';

/** Who may act for which municipality, and which municipality a caller is confined to. */
const HEERLEN = 'gm-heerlen';
const MAASTRICHT = 'gm-maastricht';
const principal = (role: Principal['role'], organisationId: string | null = null): Principal => ({ keyId: 'k-1', role, organisationId });

t.test('a college key acts for its own municipality only', async (t) => {
  t.same(attempt(() => assertActsFor(principal('college', HEERLEN), HEERLEN)), OK);
  t.same(attempt(() => assertActsFor(principal('college', HEERLEN), MAASTRICHT)), refused('FORBIDDEN', 403));
  t.same(attempt(() => assertActsFor(principal('college', null), HEERLEN)), refused('FORBIDDEN', 403), 'a college key without an organisation acts for none');
});

t.test('every other role, and the system, may act for any municipality', async (t) => {
  for (const role of [...ROLES.filter((r) => r !== 'college'), 'system'] as const) {
    t.same(attempt(() => assertActsFor(principal(role, HEERLEN), MAASTRICHT)), OK, `${role} with an organisation`);
    t.same(attempt(() => assertActsFor(principal(role), MAASTRICHT)), OK, `${role} without one`);
  }
  t.same(attempt(() => assertActsFor(SYSTEM_PRINCIPAL, HEERLEN)), OK, 'SYSTEM_PRINCIPAL');
});

t.test('a college key is confined to its own municipality; no other caller is confined', async (t) => {
  t.equal(municipalityScope(principal('college', HEERLEN)), HEERLEN);
  t.equal(municipalityScope(principal('college', null)), '', 'a college key without an organisation sees no municipality, not every one');
  for (const role of [...ROLES.filter((r) => r !== 'college'), 'system'] as const) t.equal(municipalityScope(principal(role, HEERLEN)), undefined, role);
});

t.test('the role sets: keys and webhooks for admins, votes for colleges, the audit for auditors, reading for every role', async (t) => {
  t.same(ACCESS.manageKeys, ['admin']);
  t.same(ACCESS.manageStatute, ['admin']);
  t.same(ACCESS.castVote, ['admin', 'college']);
  t.same(ACCESS.audit, ['admin', 'auditor']);
  t.same([...ACCESS.readRegister].sort(), [...ROLES].sort());
  t.same(SYSTEM_PRINCIPAL, { keyId: null, role: 'system', organisationId: null });
});

t.test('only an admin sets or clears centreMunicipality; leaving it as it is needs no admin', async (t) => {
  for (const role of ROLES) {
    const expected = role === 'admin' ? OK : refused('FORBIDDEN', 403);
    t.same(attempt(() => assertMayDesignateCentreMunicipalities(principal(role), false, true)), expected, `${role} sets it`);
    t.same(attempt(() => assertMayDesignateCentreMunicipalities(principal(role), true, false)), expected, `${role} clears it`);
    t.same(attempt(() => assertMayDesignateCentreMunicipalities(principal(role), true, true)), OK, `${role} leaves it set`);
    t.same(attempt(() => assertMayDesignateCentreMunicipalities(principal(role), false, false)), OK, `${role} leaves it clear`);
  }
  t.same(attempt(() => assertMayDesignateCentreMunicipalities(SYSTEM_PRINCIPAL, false, true)), OK, 'the service itself (the demo seed) sets it');
});
