import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import { listCoFinancingPage, recordCoFinancing, type CoFinancingInput } from '../../src/use-cases/co-financing.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import type { Caller } from '../../src/use-cases/unit-of-work.js';
import { startTestApp } from '../helpers/app.js';
import { auditHeadSeq, emittedBy } from '../helpers/audit-events.js';
import { createOrganisation, createProgramme } from '../helpers/factories.js';

/**
 * Co-financing of a programme, called directly: the order of its checks (the programme first,
 * then the funder), what is stored and recorded, and the list's filter and its checks.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const secretariat: Caller = { principal: { keyId: randomUUID(), role: 'secretariat', organisationId: null } };
const programme = await createProgramme(admin, { code: 'WTMR' });
const employer = await createOrganisation(admin, { kind: 'employer', name: 'Werkgever BV' });

const input = (overrides: Partial<CoFinancingInput> = {}): CoFinancingInput => ({
  funderName: 'Regio Deal Zuid-Limburg',
  kind: 'regio_deal',
  year: 2026,
  amountCents: 15_000_000,
  reference: 'RD4',
  ...overrides,
});

t.test('recorded by funder name, organisation or both: the record, and co_financing.recorded on the programme', async (t) => {
  const { result: byName, events, published } = await emittedBy(ctx.database, () => recordCoFinancing(ctx, secretariat, programme.id, input()));
  t.match(byName, { programmeId: programme.id, funderOrganisationId: null, funderName: 'Regio Deal Zuid-Limburg', kind: 'regio_deal', year: 2026, amountCents: 15_000_000, reference: 'RD4' });
  t.same(events, [{ action: 'co_financing.recorded', resourceType: 'programme', resourceId: programme.id, data: { coFinancing: byName } }]);
  t.same(published, [], 'audited, not published to subscribers');

  const byOrganisation = await recordCoFinancing(ctx, secretariat, programme.id, input({ funderName: undefined, funderOrganisationId: employer.id, kind: 'employers' }));
  t.match(byOrganisation, { funderOrganisationId: employer.id, funderName: null });
  const both = await recordCoFinancing(ctx, secretariat, programme.id, input({ funderName: 'Werkgever BV', funderOrganisationId: employer.id, year: 2027 }));
  t.match(both, { funderOrganisationId: employer.id, funderName: 'Werkgever BV' });
});

t.test('refused: an unknown programme first, then a missing funder, then an unknown funder; nothing is recorded', async (t) => {
  const before = await auditHeadSeq(ctx.database);
  const nobody = { funderName: null, funderOrganisationId: null };
  await t.rejects(recordCoFinancing(ctx, secretariat, randomUUID(), input(nobody)), { code: 'RESOURCE_NOT_FOUND' }, 'the programme is checked before the funder');
  await t.rejects(
    recordCoFinancing(ctx, secretariat, programme.id, input(nobody)),
    { code: 'VALIDATION_FAILED', errors: [{ path: '/funderOrganisationId' }, { path: '/funderName' }] },
  );
  await t.rejects(
    recordCoFinancing(ctx, secretariat, programme.id, input({ funderName: undefined })),
    { code: 'VALIDATION_FAILED' },
    'an absent name is no name',
  );
  const unknown = randomUUID();
  await t.rejects(
    recordCoFinancing(ctx, secretariat, programme.id, input({ funderOrganisationId: unknown })),
    { code: 'REFERENCED_RESOURCE_NOT_FOUND', errors: [{ path: '/funderOrganisationId', message: `Organisation ${unknown} does not exist` }] },
    'a name beside it does not excuse an unknown organisation',
  );
  t.equal(await auditHeadSeq(ctx.database), before);
});

t.test('the list: one programme, a year when asked, paged; an unknown programme is 404, a bad cursor 400', async (t) => {
  const other = await createProgramme(admin);
  await recordCoFinancing(ctx, secretariat, other.id, input({ reference: 'elsewhere' }));
  const first = await listCoFinancingPage(ctx, programme.id, {}, undefined, 2);
  t.equal(first.items.length, 2);
  const rest = await listCoFinancingPage(ctx, programme.id, {}, first.nextCursor!, 2);
  t.same(rest.items.map((c) => c.year), [2027]);
  t.equal(rest.nextCursor, null);
  t.ok([...first.items, ...rest.items].every((c) => c.programmeId === programme.id), 'only its own programme');
  t.same((await listCoFinancingPage(ctx, programme.id, { year: 2027 }, undefined, 10)).items.map((c) => c.funderName), ['Werkgever BV']);
  t.same(await listCoFinancingPage(ctx, programme.id, { year: 2030 }, undefined, 10), { items: [], nextCursor: null });
  await t.rejects(listCoFinancingPage(ctx, randomUUID(), {}, undefined, 10), { code: 'RESOURCE_NOT_FOUND' });
  await t.rejects(listCoFinancingPage(ctx, randomUUID(), {}, 'not-a-cursor', 10), { code: 'VALIDATION_FAILED' }, 'the cursor is read before the programme');
});
