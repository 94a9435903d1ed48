import { formatDutchDate, formatEuroCents, formatYear, municipalityPlace } from '../../src/domain/dutch-format.js';
import { ratificationRequestSubject, type RatificationRequest } from '../../src/domain/ratification-request.js';

/**
 * The ratification requests of the demo story (src/seed/demo.ts, demo-money.ts), as the register
 * holds them: the board's principle decisions of 19 November 2025 on WTMR and AMKB, asked of
 * Maastricht's college on the day of adoption, and WTMR asked of Heerlen after Maastricht's
 * college decision of 3 February 2026. Amounts, texts, dates, the fund's state and the audit
 * `seq`s are the seed's (a seeded register shows seq 22 and 23 for the adoptions, 24 for
 * Maastricht's WTMR vote); the ids and the checkpoint roots are fixed stand-ins for the random
 * ones a register gives. Fresh objects on every call: tests may change them freely.
 */
export const IDS = {
  eszlApplicantWtmr: '9e9d1bcd-a316-42d7-80d5-9925ff5d0939',
  heerlen: '78c14cf2-f6ef-4b66-8911-87d3680998d2',
  sittardGeleen: 'c78ba066-fc4a-466e-a993-14e7286170d3',
  maastricht: 'bcd5772d-de6e-4d9a-b9aa-c24d24e6fe59',
  wtmrProgramme: '93614d22-5fc1-485a-8af2-bb7703e801ff',
  amkbProgramme: 'cac4b67e-efb9-4869-9e34-f31e04a1c73a',
  wtmrDecision: '6b3ddc5d-6585-4293-ad0a-1d65c6367a3e',
  amkbDecision: '45ad16a9-f391-4bcd-a818-cec964474397',
} as const;

const municipalities = () => ({
  heerlen: { id: IDS.heerlen, name: 'Gemeente Heerlen' },
  sittardGeleen: { id: IDS.sittardGeleen, name: 'Gemeente Sittard-Geleen' },
  maastricht: { id: IDS.maastricht, name: 'Gemeente Maastricht' },
});
const required = () => {
  const m = municipalities();
  // In the order of requiredMunicipalityIds (sorted ids), as adoption froze them.
  return [m.heerlen, m.maastricht, m.sittardGeleen];
};
const wtmr = () => ({ id: IDS.wtmrProgramme, code: 'WTMR', name: 'Welcome to Maastricht Region' });
const amkb = () => ({ id: IDS.amkbProgramme, code: 'AMKB', name: 'Ambitieus MKB' });
const statuteRuleV1 = () => ({ version: 1, thresholdCents: 10_000_000, reference: 'Statuten ESZL' });
const noSplitting = () => ({ suspected: false, cumulativeCents: null, relatedDecisions: [] });

export const WTMR_TITLE = 'Principebesluit bijdrage Welcome to Maastricht Region 2026-2027';
export const AMKB_TITLE = 'Principebesluit bijdrage Ambitieus MKB, kwartiermakersfase';
export const WTMR_CONDITION = 'WTMR submits measurable result criteria, including at least the expected number of placements.';

/** WTMR (EUR 140,000 in 2026, EUR 250,000 in 2027) asked of Maastricht on the day of adoption. */
export function wtmrRequestToMaastricht(): RatificationRequest {
  return {
    decisionId: IDS.wtmrDecision,
    municipality: municipalities().maastricht,
    letterDate: '2025-11-19',
    subject: ratificationRequestSubject(WTMR_TITLE),
    reference: 'ESZL-PB-2025-11-19-WTMR',
    title: WTMR_TITLE,
    summary: "The board grants EUR 140,000 for 2026 and EUR 250,000 for 2027 from ESZL's means to WTMR.",
    boardMeetingDate: '2025-11-19',
    commitments: [
      { programme: wtmr(), year: 2026, amountCents: 14_000_000, purpose: 'Welcome to Maastricht Region 2026' },
      { programme: wtmr(), year: 2027, amountCents: 25_000_000, purpose: 'Welcome to Maastricht Region 2027' },
    ],
    totalAmountCents: 39_000_000,
    conditions: [{ description: WTMR_CONDITION, dueDate: '2026-02-15', blocksDisbursement: true }],
    statuteRule: statuteRuleV1(),
    reason: 'threshold',
    relatedDecisions: [{ decisionId: null, externalReference: '2023.048225', relation: 'continues', reference: null, title: null }],
    splitting: noSplitting(),
    // The fund held EUR 660,000 from the three municipalities and nothing was committed yet.
    fundCoverage: { uncommittedCentsBefore: 66_000_000, sufficient: true },
    coFinancing: [
      { programme: wtmr(), year: 2026, funder: { organisationId: null, name: 'Regio Deal Zuid-Limburg, 4e tranche' }, kind: 'regio_deal', amountCents: 15_000_000, reference: 'Regio Deal Zuid-Limburg, 4e tranche 2026' },
      { programme: wtmr(), year: 2026, funder: { organisationId: null, name: 'Employer Board WTMR (6 employers x EUR 10,000)' }, kind: 'employers', amountCents: 6_000_000, reference: 'Employer Board WTMR (6 employers x EUR 10,000) 2026' },
      { programme: wtmr(), year: 2027, funder: { organisationId: null, name: 'Regio Deal Zuid-Limburg, 4e tranche' }, kind: 'regio_deal', amountCents: 15_000_000, reference: 'Regio Deal Zuid-Limburg, 4e tranche 2027' },
    ],
    documents: [],
    requiredMunicipalities: required(),
    votes: [],
    dueDate: null,
    auditSeq: 22,
    checkpoint: { treeSize: 23, rootHash: '5e0d2a8c1f4b7e39a6c0d58b2f91e4a7c3b6d0e2f8a15c9d4b7e0a3f6c2d8b1e' },
  };
}

/** AMKB (EUR 202,500, kwartiermaker phase) asked of Maastricht on the day of adoption, before any checkpoint. */
export function amkbRequestToMaastricht(): RatificationRequest {
  return {
    decisionId: IDS.amkbDecision,
    municipality: municipalities().maastricht,
    letterDate: '2025-11-19',
    subject: ratificationRequestSubject(AMKB_TITLE),
    reference: 'ESZL-PB-2025-11-19-AMKB',
    title: AMKB_TITLE,
    summary: 'The board grants EUR 202,500 for the kwartiermaker phase of Ambitieus MKB.',
    boardMeetingDate: '2025-11-19',
    commitments: [{ programme: amkb(), year: 2026, amountCents: 20_250_000, purpose: 'Kwartiermakersfase' }],
    totalAmountCents: 20_250_000,
    conditions: [],
    statuteRule: statuteRuleV1(),
    reason: 'threshold',
    relatedDecisions: [],
    splitting: noSplitting(),
    // EUR 660,000 contributed, EUR 390,000 of it pending for WTMR, adopted five minutes earlier.
    fundCoverage: { uncommittedCentsBefore: 27_000_000, sufficient: true },
    coFinancing: [
      { programme: amkb(), year: 2026, funder: { organisationId: null, name: 'Regio Deal Zuid-Limburg, 6e tranche' }, kind: 'regio_deal', amountCents: 20_000_000, reference: 'Regio Deal Zuid-Limburg, 6e tranche 2026' },
      { programme: amkb(), year: 2026, funder: { organisationId: null, name: 'Ministerie van Economische Zaken' }, kind: 'government', amountCents: 10_000_000, reference: 'Ministerie van Economische Zaken 2026' },
    ],
    documents: [],
    requiredMunicipalities: required(),
    votes: [],
    dueDate: null,
    auditSeq: 23,
    checkpoint: null,
  };
}

/** WTMR asked of Heerlen after Maastricht's college decision of 3 February 2026 approved it. */
export function wtmrRequestToHeerlenAfterMaastricht(): RatificationRequest {
  return {
    ...wtmrRequestToMaastricht(),
    municipality: municipalities().heerlen,
    letterDate: '2026-02-03',
    votes: [{ municipality: municipalities().maastricht, outcome: 'approve', decidedOn: '2026-02-03' }],
    auditSeq: 24,
    checkpoint: { treeSize: 26, rootHash: 'a3c9e1f07b2d4c58e6f1a0b9d3c7e25f8a4b6c0d1e9f2a7b3c5d8e0f4a6b1c92' },
  };
}

/**
 * Every fact of a request as the letter must write it, each short enough to stay on one line of
 * the PDF: the renderers' tests look for each of them in the text a reader sees.
 */
export function requestFacts(request: RatificationRequest): string[] {
  const date = formatDutchDate;
  const euro = formatEuroCents;
  const facts = [
    request.decisionId,
    `de gemeente ${municipalityPlace(request.municipality.name)}`,
    date(request.letterDate),
    request.subject,
    request.reference,
    request.title,
    date(request.boardMeetingDate),
    euro(request.totalAmountCents),
    `versie ${request.statuteRule.version}`,
    euro(request.statuteRule.thresholdCents),
    request.statuteRule.reference,
    `seq ${request.auditSeq}`,
    ...(request.summary === null ? [] : [request.summary]),
    ...request.commitments.flatMap((c) => [c.programme.name, formatYear(c.year), euro(c.amountCents), ...(c.purpose === null ? [] : [c.purpose])]),
    ...request.conditions.flatMap((c) => [c.description, date(c.dueDate)]),
    ...request.relatedDecisions.map((r) => r.reference ?? r.externalReference ?? ''),
    ...(request.splitting.cumulativeCents === null ? [] : [euro(request.splitting.cumulativeCents)]),
    ...request.splitting.relatedDecisions.map((d) => d.reference),
    ...(request.fundCoverage === null ? [] : [euro(request.fundCoverage.uncommittedCentsBefore)]),
    ...request.coFinancing.flatMap((c) => [c.programme.code, formatYear(c.year), c.funder.name, euro(c.amountCents)]),
    ...request.documents.flatMap((d) => [d.title, d.url]),
    ...request.requiredMunicipalities.map((m) => municipalityPlace(m.name)),
    ...request.votes.flatMap((v) => [municipalityPlace(v.municipality.name), date(v.decidedOn)]),
    ...(request.dueDate === null ? [] : [date(request.dueDate)]),
    ...(request.checkpoint === null ? [] : [`omvang ${request.checkpoint.treeSize}`, request.checkpoint.rootHash]),
  ];
  return [...new Set(facts)];
}
