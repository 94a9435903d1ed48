import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import type { CoFinancing } from '../../../src/domain/records.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { okJson, problemOf, sortedErrorPaths } from '../../helpers/assertions.js';
import { createKey, createOrganisation, createProgramme, listAll } from '../../helpers/factories.js';

/** The co-financing of a programme by others than ESZL, over HTTP: `/programmes/{id}/co-financing`. */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const wtmr = await createProgramme(admin, { code: 'WTMR' });
const amkb = await createProgramme(admin, { code: 'AMKB' });
const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);
const reader = ctx.as((await createKey(admin, 'reader')).key);

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

t.test('co-financing of a programme: recorded, listed, and named by organisation, name or both', async (t) => {
  const employer = await createOrganisation(admin, { kind: 'employer', name: 'Werkgever BV' });
  const post = (body: Record<string, unknown>, programmeId = wtmr.id, client: Client = secretariat) => client.post(`/api/v1/programmes/${programmeId}/co-financing`, body);
  const regioDeal = okJson<CoFinancing>(t, await post({ funderName: 'Regio Deal Zuid-Limburg, 4e tranche', kind: 'regio_deal', year: 2026, amountCents: 15_000_000, reference: 'RD4' }), 201);
  t.match(regioDeal, { programmeId: wtmr.id, funderOrganisationId: null, funderName: 'Regio Deal Zuid-Limburg, 4e tranche', kind: 'regio_deal', year: 2026, amountCents: 15_000_000 });
  const employers = okJson<CoFinancing>(t, await post({ funderOrganisationId: employer.id, kind: 'employers', year: 2026, amountCents: 1_000_000, reference: 'Employer Board' }), 201);
  t.equal(employers.funderName, null);
  okJson(t, await post({ funderOrganisationId: employer.id, funderName: 'Werkgever BV', kind: 'employers', year: 2027, amountCents: 1_000_000, reference: 'Employer Board 2027' }), 201);

  const noFunder = problemOf(t, await post({ kind: 'other', year: 2026, amountCents: 1, reference: 'x' }), 400, 'VALIDATION_FAILED');
  t.same(noFunder.paths, ['/funderOrganisationId', '/funderName']);
  problemOf(t, await post({ funderOrganisationId: null, funderName: null, kind: 'other', year: 2026, amountCents: 1, reference: 'x' }), 400, 'VALIDATION_FAILED');
  problemOf(t, await post({ funderOrganisationId: randomUUID(), kind: 'other', year: 2026, amountCents: 1, reference: 'x' }), 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  const bad = problemOf(t, await post({ funderName: 'X', kind: 'lottery', year: 20260, amountCents: -1, reference: 'x' }), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(bad), ['/amountCents', '/kind', '/year']);
  problemOf(t, await post({ funderName: 'X', kind: 'other', year: 2026, amountCents: 1, reference: 'x' }, randomUUID()), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await post({ funderName: 'X', kind: 'other', year: 2026, amountCents: 1, reference: 'x' }, wtmr.id, reader), 403, 'FORBIDDEN');

  const all = await listAll<CoFinancing>(reader, `/api/v1/programmes/${wtmr.id}/co-financing`, 2);
  t.same(all.map((c) => c.id).slice(0, 2), [regioDeal.id, employers.id], 'in the order recorded, keyset pages');
  t.equal(all.length, 3);
  t.same((await listAll<CoFinancing>(reader, `/api/v1/programmes/${wtmr.id}/co-financing?year=2027`)).map((c) => c.year), [2027]);
  t.same(await listAll<CoFinancing>(reader, `/api/v1/programmes/${amkb.id}/co-financing`), [], 'per programme');
  problemOf(t, await reader.get(`/api/v1/programmes/${randomUUID()}/co-financing`), 404, 'RESOURCE_NOT_FOUND');
  const audit = okJson<Page<{ action: string; data: { coFinancing: CoFinancing } }>>(t, await admin.get(`/api/v1/audit-events?resourceType=programme&resourceId=${wtmr.id}`));
  t.same(audit.items.filter((e) => e.action === 'co_financing.recorded').map((e) => e.data.coFinancing.id), all.map((c) => c.id), 'each one audited');
});
