import { randomUUID } from 'node:crypto';
import t from 'tap';
import { amsterdamDateOf, fixedClock } from '../../../src/domain/clock.js';
import type { RatificationRequest } from '../../../src/domain/ratification-request.js';
import { ratificationRequestLetter } from '../../../src/domain/ratification-request-letter.js';
import { renderLetterDocx } from '../../../src/letters/docx.js';
import { renderLetterPdf } from '../../../src/letters/pdf.js';
import { startTestApp } from '../../helpers/app.js';
import { okJson, problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createOrganisation, createProgramme, fundTheRegister } from '../../helpers/factories.js';
import { flatten, pdfText, POPPLER_MISSING } from '../../helpers/poppler.js';
import { wordText, zipEntries } from '../../helpers/zip-entries.js';

/**
 * GET /decisions/{id}/ratification-request: the JSON form, the PDF and the DOCX letter chosen by
 * Accept, the same bytes for the same register state (and from this instance's cache), the ETag
 * and 304, and every refusal the contract names.
 */
const PDF = 'application/pdf';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const ctx = await startTestApp(t, { clock: fixedClock('2026-02-10T12:00:00Z') });
const { admin } = ctx;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, maastricht.id);
const applicant = await createOrganisation(admin, { name: 'Stichting Welcome to Maastricht Region' });
const programme = await createProgramme(admin, { code: `WTMR-${randomUUID().slice(0, 4).toUpperCase()}`, name: 'Welcome to Maastricht Region' });
const maastrichtCollege = ctx.as((await createKey(admin, 'college', maastricht.id)).key);
const heerlenCollege = ctx.as((await createKey(admin, 'college', heerlen.id)).key);
const reader = ctx.as((await createKey(admin, 'reader')).key);

const reference = `ESZL-PB-2025-11-19-WTMR-${randomUUID().slice(0, 4)}`;
const draft = await createDecision(admin, {
  reference,
  title: 'Principebesluit bijdrage Welcome to Maastricht Region 2026-2027',
  boardMeetingDate: '2025-11-19',
  applicantOrganisationId: applicant.id,
  commitments: [
    { programmeId: programme.id, year: 2026, amountCents: 14_000_000 },
    { programmeId: programme.id, year: 2027, amountCents: 25_000_000 },
  ],
  conditions: [{ description: 'WTMR submits measurable result criteria.', dueDate: '2026-02-15', blocksDisbursement: true }],
});
const pending = await adopt(admin, draft.id, 'pending_ratification');
const small = await createDecision(admin, { reference: `S-${randomUUID()}`, title: 'Small', boardMeetingDate: '2025-11-19', commitments: [{ programmeId: programme.id, year: 2026, amountCents: 500_000 }] });
const stillDraft = await createDecision(admin, { reference: `D-${randomUUID()}`, title: 'Draft', boardMeetingDate: '2025-11-19', commitments: [{ programmeId: programme.id, year: 2026, amountCents: 50_000_000 }] });
await adopt(admin, small.id, 'adopted');

const url = (id: string, municipalityId?: string) => `/api/v1/decisions/${id}/ratification-request${municipalityId === undefined ? '' : `?municipalityId=${municipalityId}`}`;
// Asked before the transparency log signs its first checkpoint (checked in a test below).
const beforeCheckpoint = await admin.get(url(pending.id, maastricht.id));
await ctx.app.transparencyLog.run();

async function lastEventOf(id: string): Promise<{ seq: number; occurredAt: string }> {
  const page = okJson<{ items: { seq: number; occurredAt: string }[] }>(t, await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${id}&limit=200`));
  return page.items[page.items.length - 1]!;
}

t.test('the JSON form carries every fact of the decision, the addressee, the last audit seq and the checkpoint', async (t) => {
  const before = okJson<RatificationRequest>(t, beforeCheckpoint);
  t.equal(before.checkpoint, null, 'before the first checkpoint: none');
  const res = await admin.get(url(pending.id, maastricht.id), { accept: 'application/json' });
  const request = okJson<RatificationRequest>(t, res);
  const last = await lastEventOf(pending.id);
  t.match(request, {
    decisionId: pending.id,
    municipality: { id: maastricht.id, name: 'Gemeente Maastricht' },
    letterDate: amsterdamDateOf(new Date(last.occurredAt)),
    subject: 'Verzoek om instemming met principebesluit bijdrage Welcome to Maastricht Region 2026-2027',
    reference,
    boardMeetingDate: '2025-11-19',
    totalAmountCents: 39_000_000,
    conditions: [{ description: 'WTMR submits measurable result criteria.', dueDate: '2026-02-15', blocksDisbursement: true }],
    statuteRule: { version: 1, thresholdCents: 10_000_000 },
    reason: 'threshold',
    votes: [],
    auditSeq: last.seq,
  });
  t.same(request.commitments.map((c) => [c.programme.name, c.year, c.amountCents]), [['Welcome to Maastricht Region', 2026, 14_000_000], ['Welcome to Maastricht Region', 2027, 25_000_000]]);
  t.same(request.requiredMunicipalities.map((m) => m.name).sort(), ['Gemeente Heerlen', 'Gemeente Maastricht', 'Gemeente Sittard-Geleen']);
  t.ok(request.checkpoint !== null && request.checkpoint.treeSize >= request.auditSeq, 'the first checkpoint that includes the seq');
  t.match(request.checkpoint, { rootHash: /^[0-9a-f]{64}$/ });
  t.match(res.headers, { etag: /^"[A-Za-z0-9_-]+"$/, vary: /Accept/ });
  t.equal(okJson<RatificationRequest>(t, await admin.get(url(pending.id, maastricht.id))).decisionId, pending.id, 'no Accept: JSON');
});

t.test('the PDF is the letter to the college, the same bytes on every GET, from the cache and rendered anew', { skip: POPPLER_MISSING }, async (t) => {
  const first = await admin.get(url(pending.id, maastricht.id), { accept: PDF });
  t.equal(first.statusCode, 200);
  t.equal(first.headers['content-type'], PDF);
  t.match(first.headers['content-disposition'], new RegExp(`inline; filename="verzoek-om-instemming-${reference}-maastricht.pdf"`));
  const second = await admin.get(url(pending.id, maastricht.id), { accept: PDF });
  t.ok(first.rawPayload.equals(second.rawPayload), 'the cached answer is the first one, byte for byte');
  t.equal(second.headers.etag, first.headers.etag);
  const data = okJson<RatificationRequest>(t, await admin.get(url(pending.id, maastricht.id)));
  t.not(first.headers.etag, (await admin.get(url(pending.id, maastricht.id))).headers.etag, 'each format has its own ETag');
  const rendered = await renderLetterPdf(ratificationRequestLetter(data));
  t.ok(rendered.equals(first.rawPayload), 'a render without the cache gives the same bytes');
  const text = flatten(pdfText(first.rawPayload));
  for (const fact of ['Gemeente Maastricht', 'Aan het college van burgemeester en wethouders', reference, '€ 140.000,00', '€ 250.000,00', '€ 390.000,00', '19 november 2025', '15 februari 2026', `besluit ${pending.id}`, `seq ${data.auditSeq}`, `omvang ${data.checkpoint!.treeSize}`]) {
    t.ok(text.includes(fact), `the letter says ${fact}`);
  }
  t.ok(text.includes(data.checkpoint!.rootHash.slice(0, 16)), 'and names the root hash');
  t.equal((await admin.get(url(pending.id, maastricht.id), { accept: PDF, 'if-none-match': first.headers.etag as string })).statusCode, 304);
});

t.test('the DOCX is the same letter as a Word document, deterministic', async (t) => {
  const first = await admin.get(url(pending.id, maastricht.id), { accept: DOCX });
  t.equal(first.statusCode, 200);
  t.equal(first.headers['content-type'], DOCX);
  const second = await admin.get(url(pending.id, maastricht.id), { accept: `${DOCX}, application/json;q=0.5` });
  t.ok(first.rawPayload.equals(second.rawPayload));
  const data = okJson<RatificationRequest>(t, await admin.get(url(pending.id, maastricht.id)));
  t.ok((await renderLetterDocx(ratificationRequestLetter(data))).equals(first.rawPayload), 'rendered anew: the same bytes');
  const body = wordText(zipEntries(first.rawPayload).get('word/document.xml')!.data.toString('utf8'));
  t.ok(body.includes(reference) && body.includes('140.000,00') && body.includes('Geacht college,'));
});

t.test('Accept picks by weight; anything not offered is 406 problem+json', async (t) => {
  const weighted = await admin.get(url(pending.id, maastricht.id), { accept: 'application/pdf;q=0.4, application/json;q=0.9' });
  t.match(weighted.headers['content-type'], /^application\/json/);
  for (const accept of ['text/html', 'application/pdf;q=0, text/*', 'image/*']) {
    const res = await admin.get(url(pending.id, maastricht.id), { accept });
    problemOf(t, res, 406, 'NOT_ACCEPTABLE');
    t.match(res.headers['content-type'], /^application\/problem\+json/);
  }
});

t.test('a change of the register state changes the letter and its ETag; the vote is in it', async (t) => {
  const before = await admin.get(url(pending.id, heerlen.id), { accept: PDF });
  okJson(t, await maastrichtCollege.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: maastricht.id, outcome: 'approve', decidedOn: '2026-02-03' }), 201);
  const after = await admin.get(url(pending.id, heerlen.id), { accept: PDF });
  t.not(after.headers.etag, before.headers.etag);
  t.notOk(after.rawPayload.equals(before.rawPayload));
  const data = okJson<RatificationRequest>(t, await admin.get(url(pending.id, heerlen.id)));
  t.match(data.votes, [{ municipality: { id: maastricht.id, name: 'Gemeente Maastricht' }, outcome: 'approve', decidedOn: '2026-02-03' }]);
  t.equal(data.auditSeq, (await lastEventOf(pending.id)).seq);
});

t.test('a college key gets its own letter without naming it, and no other', async (t) => {
  const own = okJson<RatificationRequest>(t, await heerlenCollege.get(url(pending.id)));
  t.equal(own.municipality.id, heerlen.id);
  problemOf(t, await heerlenCollege.get(url(pending.id, maastricht.id)), 403, 'FORBIDDEN');
  problemOf(t, await heerlenCollege.get(url(pending.id, sittardGeleen.id), { accept: PDF }), 403, 'FORBIDDEN');
  t.equal(okJson<RatificationRequest>(t, await reader.get(url(pending.id, sittardGeleen.id))).municipality.id, sittardGeleen.id, 'every reading role may ask');
});

t.test('refusals: no municipality, one not required, an unknown decision, one never put to the colleges', async (t) => {
  const missing = problemOf(t, await admin.get(url(pending.id)), 400, 'VALIDATION_FAILED');
  t.same(missing.paths, ['query.municipalityId']);
  problemOf(t, await admin.get(url(pending.id, applicant.id)), 400, 'MUNICIPALITY_NOT_REQUIRED');
  problemOf(t, await admin.get(url(randomUUID(), maastricht.id)), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.get(url(small.id, maastricht.id)), 409, 'DECISION_NOT_IN_RATIFICATION');
  problemOf(t, await admin.get(url(stillDraft.id, maastricht.id), { accept: PDF }), 409, 'DECISION_NOT_IN_RATIFICATION');
  problemOf(t, await admin.get(`${url(pending.id, maastricht.id)}&other=1`), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get(url(pending.id, 'not-a-uuid')), 400, 'VALIDATION_FAILED');
});

t.test('a decision no longer pending still has its request', async (t) => {
  for (const [municipality] of [[heerlen], [sittardGeleen]] as const) {
    const college = ctx.as((await createKey(admin, 'college', municipality.id)).key);
    okJson(t, await college.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: municipality.id, outcome: 'approve', decidedOn: '2026-02-09' }), 201);
  }
  const res = await admin.get(url(pending.id, sittardGeleen.id), { accept: PDF });
  t.equal(res.statusCode, 200);
  t.equal(okJson<RatificationRequest>(t, await admin.get(url(pending.id, sittardGeleen.id))).votes.length, 3);
});
