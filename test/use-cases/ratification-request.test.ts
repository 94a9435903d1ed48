import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Principal } from '../../src/domain/access.js';
import { fixedClock } from '../../src/domain/clock.js';
import { DomainError } from '../../src/domain/errors.js';
import { getRatificationRequest } from '../../src/use-cases/ratification-request.js';
import { startTestApp } from '../helpers/app.js';
import { expectJson, expectStatus } from '../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createOrganisation, createProgramme, fundTheRegister } from '../helpers/factories.js';

/**
 * getRatificationRequest called directly: who the addressee is for each caller, names of related
 * decisions and co-financiers resolved, and no checkpoint without a transparency log.
 */
const clock = fixedClock('2026-02-10T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx = { database: db.database, clock };
const { heerlen, maastricht } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, maastricht.id);
const provincie = await createOrganisation(admin, { name: 'Provincie Limburg', kind: 'government' });
const programme = await createProgramme(admin, { code: 'AMKB', name: 'Ambitieus MKB' });
expectStatus(await admin.post(`/api/v1/programmes/${programme.id}/co-financing`, { funderOrganisationId: provincie.id, kind: 'government', year: 2026, amountCents: 10_000_000, reference: 'Provincie 2026' }), 201, 'co-financing');
expectStatus(await admin.post(`/api/v1/programmes/${programme.id}/co-financing`, { funderName: 'Regio Deal Zuid-Limburg', kind: 'regio_deal', year: 2027, amountCents: 5_000_000, reference: 'Regio Deal 2027' }), 201, 'co-financing');
const earlier = await createDecision(admin, { reference: `PB-EARLIER-${randomUUID()}`, title: 'Kwartiermaker', boardMeetingDate: '2025-06-01', commitments: [{ programmeId: programme.id, year: 2025, amountCents: 500_000 }] });
await adopt(admin, earlier.id, 'adopted');
const draft = await createDecision(admin, {
  reference: `PB-${randomUUID()}`,
  title: 'Ambitieus MKB, kwartiermakersfase',
  boardMeetingDate: '2025-11-19',
  commitments: [{ programmeId: programme.id, year: 2026, amountCents: 20_250_000, purpose: 'Kwartiermakersfase' }],
  relatedDecisions: [{ decisionId: earlier.id, relation: 'continues' }, { externalReference: '2023.048225', relation: 'relates_to' }],
});
const pending = await adopt(admin, draft.id, 'pending_ratification');
expectJson(await admin.get(`/api/v1/decisions/${pending.id}`), 200, 'decision');

const college = (organisationId: string): Principal => ({ keyId: randomUUID(), role: 'college', organisationId });
const secretariat: Principal = { keyId: randomUUID(), role: 'secretariat', organisationId: null };

t.test("a college's own municipality is the default; others name it", async (t) => {
  t.equal((await getRatificationRequest(ctx, undefined, college(heerlen.id), pending.id, undefined)).municipality.id, heerlen.id);
  t.equal((await getRatificationRequest(ctx, undefined, secretariat, pending.id, maastricht.id)).municipality.name, 'Gemeente Maastricht');
  await t.rejects(getRatificationRequest(ctx, undefined, secretariat, pending.id, undefined), { code: 'VALIDATION_FAILED' });
  await t.rejects(getRatificationRequest(ctx, undefined, college(heerlen.id), pending.id, maastricht.id), { code: 'FORBIDDEN' });
  const error = await getRatificationRequest(ctx, undefined, college(heerlen.id), randomUUID(), undefined).catch((e: unknown) => e);
  t.ok(error instanceof DomainError && error.code === 'RESOURCE_NOT_FOUND', 'an unknown decision: 404');
});

t.test('related decisions and co-financiers by name; the commitment with its purpose; no log, no checkpoint', async (t) => {
  const request = await getRatificationRequest(ctx, undefined, secretariat, pending.id, maastricht.id);
  t.same(request.relatedDecisions, [
    { decisionId: earlier.id, externalReference: null, relation: 'continues', reference: earlier.reference, title: 'Kwartiermaker' },
    { decisionId: null, externalReference: '2023.048225', relation: 'relates_to', reference: null, title: null },
  ]);
  t.same(request.coFinancing.map((c) => [c.funder.name, c.kind, c.year, c.amountCents, c.programme.code]), [['Provincie Limburg', 'government', 2026, 10_000_000, 'AMKB']], "only the decision's years");
  t.same(request.commitments, [{ programme: { id: programme.id, code: 'AMKB', name: 'Ambitieus MKB' }, year: 2026, amountCents: 20_250_000, purpose: 'Kwartiermakersfase' }]);
  t.equal(request.checkpoint, null);
  t.match(request.statuteRule, { version: 1, thresholdCents: 10_000_000, reference: /\S/ });
});
