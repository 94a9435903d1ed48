import { formatDutchDate, formatEuroCents, formatYear, joinDutch, municipalityPlace } from './dutch-format.js';
import type { LetterBlock } from './letter.js';
import type { RatificationRequest, RequestRelatedDecision } from './ratification-request.js';
import type { CoFinancingKind, DocumentKind, RelationKind } from './records.js';

/** The body of the ratification request, section by section, in Dutch. */
type Section = LetterBlock[];

const euro = formatEuroCents;
const date = formatDutchDate;
const paragraph = (text: string): LetterBlock => ({ kind: 'paragraph', text, style: 'body' });
const heading = (text: string): LetterBlock => ({ kind: 'heading', text });

const CO_FINANCING_KIND: Record<CoFinancingKind, string> = {
  regio_deal: 'Regio Deal',
  employers: 'werkgevers',
  government: 'overheid',
  other: 'overig',
};
const DOCUMENT_KIND: Record<DocumentKind, string> = {
  board_decision: 'bestuursbesluit',
  college_decision: 'collegebesluit',
  criteria: 'criteria',
  evidence: 'bewijsstuk',
  report: 'rapportage',
  other: 'overig stuk',
};
const RELATION: Record<RelationKind, (other: string) => string> = {
  continues: (other) => `Dit besluit zet ${other} voort.`,
  extends: (other) => `Dit besluit breidt ${other} uit.`,
  relates_to: (other) => `Dit besluit hangt samen met ${other}.`,
  amends: (other) => `Dit besluit wijzigt ${other}.`,
};

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function programmeName(programme: { code: string; name: string }): string {
  return `${programme.name} (${programme.code})`;
}

export function decisionSection(request: RatificationRequest): Section {
  const programmes = distinct(request.commitments.map((c) => programmeName(c.programme)));
  const years = distinct(request.commitments.map((c) => c.year)).sort((a, b) => a - b).map(formatYear);
  const recipients = programmes.length === 1 ? `het programma ${programmes[0]}` : `de programma's ${joinDutch(programmes)}`;
  const period = years.length === 1 ? `het jaar ${years[0]}` : `de jaren ${joinDutch(years)}`;
  const blocks: Section = [
    paragraph(
      `In zijn vergadering van ${date(request.boardMeetingDate)} heeft het bestuur van Stichting Economische Samenwerking ` +
        `Zuid-Limburg (ESZL) het principebesluit “${request.title}” genomen (kenmerk ${request.reference}). Met dit besluit ` +
        `kent het bestuur uit de middelen van ESZL in totaal ${euro(request.totalAmountCents)} toe aan ${recipients} voor ${period}.`,
    ),
  ];
  if (request.summary !== null) blocks.push({ kind: 'paragraph', text: `Samenvatting in het register: “${request.summary}”`, style: 'quote' });
  const withPurpose = request.commitments.some((c) => c.purpose !== null);
  const row = (c: RatificationRequest['commitments'][number]) =>
    withPurpose ? [c.programme.name, c.purpose ?? '', formatYear(c.year), euro(c.amountCents)] : [c.programme.name, formatYear(c.year), euro(c.amountCents)];
  blocks.push(heading('De bijdrage per programma en jaar'), {
    kind: 'table',
    table: {
      columns: [
        { header: 'Programma', align: 'left', weight: 4 },
        ...(withPurpose ? [{ header: 'Omschrijving', align: 'left' as const, weight: 4 }] : []),
        { header: 'Jaar', align: 'left', weight: 1 },
        { header: 'Bedrag', align: 'right', weight: 2.2 },
      ],
      rows: request.commitments.map(row),
      total: withPurpose ? ['Totaal', '', '', euro(request.totalAmountCents)] : ['Totaal', '', euro(request.totalAmountCents)],
    },
  });
  return blocks;
}

export function statuteSection(request: RatificationRequest): Section {
  const { statuteRule: rule } = request;
  const colleges = joinDutch(request.requiredMunicipalities.map((m) => municipalityPlace(m.name)));
  const ruleName = `${rule.reference}, versie ${rule.version}`;
  const consent =
    `wanneer de colleges van burgemeester en wethouders van alle centrumgemeenten ermee hebben ingestemd; ` +
    `één afwijzing verwerpt het besluit`;
  const text =
    request.reason === 'splitting'
      ? `Dit besluit blijft met ${euro(request.totalAmountCents)} zelf onder de drempel van ${euro(rule.thresholdCents)} uit de ` +
        `statutenregel die ervoor geldt (${ruleName}). ${splittingSentence(request)} Om te voorkomen dat de drempel wordt ` +
        `omzeild door een bijdrage over meerdere besluiten te verdelen, bepaalt deze regel dat ook zo'n besluit pas bindend wordt ${consent}.`
      : `Volgens de statutenregel die voor dit besluit geldt (${ruleName}) wordt een besluit met een bijdrage van ` +
        `${euro(rule.thresholdCents)} of meer pas bindend ${consent}. Dit besluit bedraagt ${euro(request.totalAmountCents)} en bereikt die drempel.`;
  return [
    heading('Waarom wij uw instemming vragen'),
    paragraph(text),
    paragraph(`Het bestuur legt het besluit daarom ter instemming voor aan de colleges van ${colleges}.`),
  ];
}

function splittingSentence(request: RatificationRequest): string {
  const related = request.splitting.relatedDecisions.map((d) => `${d.reference} (${euro(d.totalAmountCents)})`);
  const others = related.length === 0 ? 'de verwante besluiten' : `${related.length === 1 ? 'het besluit' : 'de besluiten'} ${joinDutch(related)}`;
  const cumulative = request.splitting.cumulativeCents;
  return cumulative === null
    ? `Samen met ${others} bereikt de bijdrage die drempel wel.`
    : `Samen met ${others} komt de bijdrage op ${euro(cumulative)}.`;
}

export function conditionsSection(request: RatificationRequest): Section {
  if (request.conditions.length === 0) return [heading('Voorwaarden'), paragraph('Aan dit besluit zijn geen voorwaarden verbonden.')];
  const items = request.conditions.map(
    (c) =>
      `Uiterlijk ${date(c.dueDate)}: ${c.description}` +
      (c.blocksDisbursement ? ' Er wordt niets uitbetaald voordat aan deze voorwaarde is voldaan.' : ''),
  );
  return [heading('Voorwaarden'), paragraph('Het bestuur verbindt aan dit besluit de volgende voorwaarden:'), { kind: 'list', items }];
}

export function coverageSection(request: RatificationRequest): Section {
  const blocks: Section = [heading('Dekking en cofinanciering'), paragraph(fundSentence(request))];
  const programmes = distinct(request.commitments.map((c) => c.programme.code));
  const whom = programmes.length === 1 ? 'het programma' : "de programma's";
  if (request.coFinancing.length === 0) {
    blocks.push(paragraph(`Voor ${whom} van dit besluit is in deze jaren geen cofinanciering door anderen geregistreerd.`));
    return blocks;
  }
  const total = request.coFinancing.reduce((sum, c) => sum + BigInt(c.amountCents), 0n);
  blocks.push(paragraph(`Naast de bijdrage van ESZL financieren anderen ${whom} in dezelfde jaren:`), {
    kind: 'table',
    table: {
      columns: [
        { header: 'Programma', align: 'left', weight: 1.6 },
        { header: 'Jaar', align: 'left', weight: 1.1 },
        { header: 'Financier', align: 'left', weight: 4.6 },
        { header: 'Soort', align: 'left', weight: 1.8 },
        { header: 'Bedrag', align: 'right', weight: 2.4 },
      ],
      rows: request.coFinancing.map((c) => [c.programme.code, formatYear(c.year), c.funder.name, CO_FINANCING_KIND[c.kind], euro(c.amountCents)]),
      total: ['Totaal', '', '', '', euro(Number(total))],
    },
  });
  return blocks;
}

function fundSentence(request: RatificationRequest): string {
  const coverage = request.fundCoverage;
  if (coverage === null) return 'Voor dit besluit is geen dekking uit het fonds van ESZL vastgelegd.';
  const before = coverage.uncommittedCentsBefore;
  const state =
    before < 0
      ? `was het fonds van ESZL al met ${euro(-before)} overschreden`
      : `was in het fonds van ESZL nog ${euro(before)} niet vastgelegd`;
  const verdict = coverage.sufficient
    ? `Dat dekt de bijdrage van ${euro(request.totalAmountCents)}.`
    : `Dat dekt de bijdrage van ${euro(request.totalAmountCents)} niet volledig: er ontbreekt ${euro(request.totalAmountCents - Math.max(before, 0))}.`;
  return `Bij het nemen van dit besluit ${state}. ${verdict}`;
}

function relatedSentence(related: RequestRelatedDecision): string {
  const other =
    related.reference === null
      ? `het besluit met kenmerk ${related.externalReference ?? related.decisionId ?? 'onbekend'}`
      : `het besluit ${related.reference}${related.title === null ? '' : ` (“${related.title}”)`}`;
  return RELATION[related.relation](other);
}

export function contextSection(request: RatificationRequest): Section {
  const blocks: Section = [heading('Samenhang en stukken')];
  blocks.push(
    request.relatedDecisions.length === 0
      ? paragraph('Er zijn geen eerdere besluiten geregistreerd waarop dit besluit voortbouwt.')
      : { kind: 'list', items: request.relatedDecisions.map(relatedSentence) },
  );
  if (request.documents.length === 0) {
    blocks.push(paragraph('Bij dit besluit zijn geen stukken geregistreerd.'));
    return blocks;
  }
  const items = request.documents.map((d) => {
    const facts = [DOCUMENT_KIND[d.kind], d.registrationNumber && `registratienummer ${d.registrationNumber}`, d.issuedOn && date(d.issuedOn)];
    const checksum = d.sha256 === null ? '' : ` (SHA-256 ${d.sha256})`;
    return `${d.title} (${facts.filter(Boolean).join(', ')}): ${d.url}${checksum}`;
  });
  blocks.push(paragraph('Het besluit steunt op deze stukken:'), { kind: 'list', items });
  return blocks;
}
