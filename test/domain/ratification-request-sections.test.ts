import t from 'tap';
import type { LetterBlock, LetterTable } from '../../src/domain/letter.js';
import type { RatificationRequest } from '../../src/domain/ratification-request.js';
import { conditionsSection, contextSection, coverageSection, decisionSection, statuteSection } from '../../src/domain/ratification-request-sections.js';
import { blockText } from '../helpers/letter-text.js';
import { amkbRequestToMaastricht, IDS, WTMR_CONDITION, wtmrRequestToMaastricht } from '../helpers/ratification-requests.js';

// Prose is compared with plain spaces; the non-breaking space after "€" is checked in the tables
// below and in dutch-format.test.ts.
const prose = (value: string) => value.replaceAll('\u00a0', ' ');
const text = (blocks: LetterBlock[]) => prose(blocks.map(blockText).join('\n'));
const tables = (blocks: LetterBlock[]): LetterTable[] => blocks.flatMap((b) => (b.kind === 'table' ? [b.table] : []));

t.test('says what the board decided: meeting, title, reference, total, programme and years', async (t) => {
  const [opening, summary] = decisionSection(wtmrRequestToMaastricht());
  t.equal(
    opening && prose(blockText(opening)),
    'In zijn vergadering van 19 november 2025 heeft het bestuur van Stichting Economische Samenwerking Zuid-Limburg (ESZL) het ' +
      'principebesluit “Principebesluit bijdrage Welcome to Maastricht Region 2026-2027” genomen (kenmerk ESZL-PB-2025-11-19-WTMR). ' +
      'Met dit besluit kent het bestuur uit de middelen van ESZL in totaal € 390.000,00 toe aan het programma Welcome to ' +
      'Maastricht Region (WTMR) voor de jaren 2026 en 2027.',
  );
  t.same(summary, { kind: 'paragraph', style: 'quote', text: "Samenvatting in het register: “The board grants EUR 140,000 for 2026 and EUR 250,000 for 2027 from ESZL's means to WTMR.”" });
  const amkb = text(decisionSection({ ...amkbRequestToMaastricht(), summary: null }));
  t.match(amkb, /aan het programma Ambitieus MKB \(AMKB\) voor het jaar 2026\./);
  t.notMatch(amkb, /Samenvatting/, 'no summary, no quote');
  const two = wtmrRequestToMaastricht();
  two.commitments.push({ ...amkbRequestToMaastricht().commitments[0]! });
  t.match(text(decisionSection(two)), /aan de programma's Welcome to Maastricht Region \(WTMR\) en Ambitieus MKB \(AMKB\) voor de jaren 2026 en 2027\./);
});

t.test('the commitments table: programme, purpose, year, the amount right-aligned, and the total', async (t) => {
  const [table] = tables(decisionSection(wtmrRequestToMaastricht()));
  t.same(table?.columns.map((c) => [c.header, c.align]), [['Programma', 'left'], ['Omschrijving', 'left'], ['Jaar', 'left'], ['Bedrag', 'right']]);
  t.same(table?.rows, [
    ['Welcome to Maastricht Region', 'Welcome to Maastricht Region 2026', '2026', '€\u00a0140.000,00'],
    ['Welcome to Maastricht Region', 'Welcome to Maastricht Region 2027', '2027', '€\u00a0250.000,00'],
  ]);
  t.same(table?.total, ['Totaal', '', '', '€\u00a0390.000,00']);
  const withoutPurpose = wtmrRequestToMaastricht();
  for (const c of withoutPurpose.commitments) c.purpose = null;
  const [plain] = tables(decisionSection(withoutPurpose));
  t.same(plain?.columns.map((c) => c.header), ['Programma', 'Jaar', 'Bedrag'], 'no purpose anywhere: no empty column');
  t.same(plain?.total, ['Totaal', '', '€\u00a0390.000,00']);
});

t.test('explains the statute: the threshold reached, or splitting with the related decisions', async (t) => {
  t.equal(
    text(statuteSection(wtmrRequestToMaastricht())),
    'Waarom wij uw instemming vragen\n' +
      'Volgens de statutenregel die voor dit besluit geldt (Statuten ESZL, versie 1) wordt een besluit met een bijdrage van € 100.000,00 ' +
      'of meer pas bindend wanneer de colleges van burgemeester en wethouders van alle centrumgemeenten ermee hebben ingestemd; één afwijzing ' +
      'verwerpt het besluit. Dit besluit bedraagt € 390.000,00 en bereikt die drempel.\n' +
      'Het bestuur legt het besluit daarom ter instemming voor aan de colleges van Heerlen, Maastricht en Sittard-Geleen.',
  );
  const split: RatificationRequest = {
    ...amkbRequestToMaastricht(),
    reason: 'splitting',
    totalAmountCents: 6_000_000,
    statuteRule: { version: 2, thresholdCents: 10_000_000, reference: 'Statuten ESZL, art. 9' },
    splitting: {
      suspected: true,
      cumulativeCents: 12_500_000,
      relatedDecisions: [
        { decisionId: IDS.wtmrDecision, reference: 'ESZL-PB-2026-01-A', title: 'A', totalAmountCents: 4_000_000 },
        { decisionId: IDS.amkbDecision, reference: 'ESZL-PB-2026-02-B', title: 'B', totalAmountCents: 2_500_000 },
      ],
    },
  };
  t.match(
    text(statuteSection(split)),
    'Dit besluit blijft met € 60.000,00 zelf onder de drempel van € 100.000,00 uit de statutenregel die ervoor geldt (Statuten ESZL, ' +
      'art. 9, versie 2). Samen met de besluiten ESZL-PB-2026-01-A (€ 40.000,00) en ESZL-PB-2026-02-B (€ 25.000,00) komt de bijdrage ' +
      "op € 125.000,00. Om te voorkomen dat de drempel wordt omzeild door een bijdrage over meerdere besluiten te verdelen, bepaalt deze " +
      "regel dat ook zo'n besluit pas bindend wordt wanneer de colleges van burgemeester en wethouders van alle centrumgemeenten " +
      'ermee hebben ingestemd; één afwijzing verwerpt het besluit.',
  );
  split.splitting.relatedDecisions = split.splitting.relatedDecisions.slice(0, 1);
  t.match(text(statuteSection(split)), /Samen met het besluit ESZL-PB-2026-01-A \(€ 40\.000,00\) komt/);
});

t.test('the conditions with their due dates, and whether they block payment', async (t) => {
  t.equal(
    text(conditionsSection(wtmrRequestToMaastricht())),
    `Voorwaarden\nHet bestuur verbindt aan dit besluit de volgende voorwaarden:\nUiterlijk 15 februari 2026: ${WTMR_CONDITION} ` +
      'Er wordt niets uitbetaald voordat aan deze voorwaarde is voldaan.',
  );
  const open = wtmrRequestToMaastricht();
  open.conditions[0]!.blocksDisbursement = false;
  t.equal(text(conditionsSection(open)).split('\n').at(-1), `Uiterlijk 15 februari 2026: ${WTMR_CONDITION}`);
  t.equal(text(conditionsSection(amkbRequestToMaastricht())), 'Voorwaarden\nAan dit besluit zijn geen voorwaarden verbonden.');
});

t.test('fund coverage: covered, not fully covered, an overdrawn fund, or none recorded', async (t) => {
  const fund = (coverage: RatificationRequest['fundCoverage']) => prose(blockText(coverageSection({ ...wtmrRequestToMaastricht(), fundCoverage: coverage })[1]!));
  t.equal(fund({ uncommittedCentsBefore: 66_000_000, sufficient: true }), 'Bij het nemen van dit besluit was in het fonds van ESZL nog € 660.000,00 niet vastgelegd. Dat dekt de bijdrage van € 390.000,00.');
  t.equal(
    fund({ uncommittedCentsBefore: 30_000_000, sufficient: false }),
    'Bij het nemen van dit besluit was in het fonds van ESZL nog € 300.000,00 niet vastgelegd. Dat dekt de bijdrage van € 390.000,00 niet volledig: er ontbreekt € 90.000,00.',
  );
  t.equal(
    fund({ uncommittedCentsBefore: -5_000_000, sufficient: false }),
    'Bij het nemen van dit besluit was het fonds van ESZL al met € 50.000,00 overschreden. Dat dekt de bijdrage van € 390.000,00 niet volledig: er ontbreekt € 390.000,00.',
  );
  t.equal(fund(null), 'Voor dit besluit is geen dekking uit het fonds van ESZL vastgelegd.');
});

t.test('co-financing per programme and year with funder, kind in Dutch and amount, and its total', async (t) => {
  const [table] = tables(coverageSection(wtmrRequestToMaastricht()));
  t.same(table?.columns.map((c) => [c.header, c.align]), [['Programma', 'left'], ['Jaar', 'left'], ['Financier', 'left'], ['Soort', 'left'], ['Bedrag', 'right']]);
  t.same(table?.rows, [
    ['WTMR', '2026', 'Regio Deal Zuid-Limburg, 4e tranche', 'Regio Deal', '€\u00a0150.000,00'],
    ['WTMR', '2026', 'Employer Board WTMR (6 employers x EUR 10,000)', 'werkgevers', '€\u00a060.000,00'],
    ['WTMR', '2027', 'Regio Deal Zuid-Limburg, 4e tranche', 'Regio Deal', '€\u00a0150.000,00'],
  ]);
  t.same(table?.total, ['Totaal', '', '', '', '€\u00a0360.000,00']);
  t.same(tables(coverageSection(amkbRequestToMaastricht()))[0]?.rows.map((r) => r[3]), ['Regio Deal', 'overheid']);
  const none = coverageSection({ ...wtmrRequestToMaastricht(), coFinancing: [] });
  t.equal(tables(none).length, 0);
  t.equal(blockText(none.at(-1)!), 'Voor het programma van dit besluit is in deze jaren geen cofinanciering door anderen geregistreerd.');
});

t.test('related decisions by their relation, and the documents with kind, number, date, address and checksum', async (t) => {
  const related = (relation: 'continues' | 'extends' | 'relates_to' | 'amends', reference: string | null, title: string | null) =>
    text(contextSection({ ...amkbRequestToMaastricht(), relatedDecisions: [{ decisionId: null, externalReference: '2023.048225', relation, reference, title }] })).split('\n')[1];
  t.equal(related('continues', null, null), 'Dit besluit zet het besluit met kenmerk 2023.048225 voort.');
  t.equal(related('extends', 'ESZL-PB-1', 'Eerste'), 'Dit besluit breidt het besluit ESZL-PB-1 (“Eerste”) uit.');
  t.equal(related('relates_to', 'ESZL-PB-1', null), 'Dit besluit hangt samen met het besluit ESZL-PB-1.');
  t.equal(related('amends', 'ESZL-PB-1', 'Eerste'), 'Dit besluit wijzigt het besluit ESZL-PB-1 (“Eerste”).');
  t.equal(
    text(contextSection(amkbRequestToMaastricht())),
    'Samenhang en stukken\nEr zijn geen eerdere besluiten geregistreerd waarop dit besluit voortbouwt.\nBij dit besluit zijn geen stukken geregistreerd.',
  );
  const documents = contextSection({
    ...amkbRequestToMaastricht(),
    documents: [
      { title: 'Besluitenlijst', url: 'https://eszl.example/b.pdf', kind: 'board_decision', registrationNumber: 'B-117', sha256: 'ab'.repeat(32), issuedOn: '2025-11-20' },
      { title: 'Criteria', url: 'https://wtmr.example/c.pdf', kind: 'criteria', registrationNumber: null, sha256: null, issuedOn: null },
    ],
  });
  t.same(documents.at(-1), {
    kind: 'list',
    items: [
      `Besluitenlijst (bestuursbesluit, registratienummer B-117, 20 november 2025): https://eszl.example/b.pdf (SHA-256 ${'ab'.repeat(32)})`,
      'Criteria (criteria): https://wtmr.example/c.pdf',
    ],
  });
});
