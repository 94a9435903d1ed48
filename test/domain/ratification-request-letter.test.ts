import t from 'tap';
import { addresseeLines, ratificationRequestLetter, verificationFooter } from '../../src/domain/ratification-request-letter.js';
import type { RatificationRequest } from '../../src/domain/ratification-request.js';
import { letterText, sectionText } from '../helpers/letter-text.js';
import {
  amkbRequestToMaastricht, IDS, requestFacts, wtmrRequestToHeerlenAfterMaastricht, wtmrRequestToMaastricht,
} from '../helpers/ratification-requests.js';

/** A request with every optional fact present: documents, register decisions, splitting, a due date. */
function richRequest(): RatificationRequest {
  return {
    ...wtmrRequestToMaastricht(),
    reason: 'splitting',
    totalAmountCents: 9_000_000,
    commitments: [{ programme: { id: IDS.wtmrProgramme, code: 'WTMR', name: 'Welcome to Maastricht Region' }, year: 2026, amountCents: 9_000_000, purpose: null }],
    relatedDecisions: [
      { decisionId: IDS.amkbDecision, externalReference: null, relation: 'extends', reference: 'ESZL-PB-2025-06-01-WTMR', title: 'Eerste bijdrage WTMR' },
    ],
    splitting: {
      suspected: true,
      cumulativeCents: 15_000_000,
      relatedDecisions: [{ decisionId: IDS.amkbDecision, reference: 'ESZL-PB-2025-06-01-WTMR', title: 'Eerste bijdrage WTMR', totalAmountCents: 6_000_000 }],
    },
    documents: [
      { title: 'Besluitenlijst bestuur 19 november 2025', url: 'https://eszl.example/besluitenlijst.pdf', kind: 'board_decision', registrationNumber: 'B-2025-117', sha256: 'ab'.repeat(32), issuedOn: '2025-11-20' },
    ],
    dueDate: '2026-01-18',
  };
}

t.test('the request to Maastricht reads in the order of a letter: letterhead, addressee, details, salutation, body, closing', async (t) => {
  const letter = ratificationRequestLetter(wtmrRequestToMaastricht());
  t.same(letter.blocks.slice(0, 4).map((b) => b.kind), ['letterhead', 'addressee', 'details', 'salutation']);
  t.equal(letter.blocks.at(-1)?.kind, 'closing');
  t.same(
    letter.blocks.flatMap((b) => (b.kind === 'heading' ? [b.text] : [])),
    ['De bijdrage per programma en jaar', 'Waarom wij uw instemming vragen', 'Voorwaarden', 'Dekking en cofinanciering', 'Samenhang en stukken', 'Stand van de instemming', 'Ons verzoek'],
  );
  t.same(letter.blocks[3], { kind: 'salutation', text: 'Geacht college,' });
  t.same(letter.blocks.at(-1), { kind: 'closing', greeting: 'Hoogachtend,', signature: ['Het bestuur van Stichting Economische Samenwerking Zuid-Limburg'] });
  t.equal(letter.language, 'nl-NL');
  t.equal(letter.date, '2025-11-19', 'the letter is dated by the register state, never by the clock');
});

t.test('addresses the college of burgemeester en wethouders of the municipality', async (t) => {
  t.same(addresseeLines('Gemeente Maastricht'), ['Aan het college van burgemeester en wethouders', 'van de gemeente Maastricht']);
  t.same(addresseeLines('gemeente Sittard-Geleen'), ['Aan het college van burgemeester en wethouders', 'van de gemeente Sittard-Geleen']);
  t.same(addresseeLines('Heerlen'), ['Aan het college van burgemeester en wethouders', 'van Heerlen'], 'a name without "Gemeente" as it stands');
});

t.test('the details give the date in Dutch, our reference and the subject line', async (t) => {
  const letter = ratificationRequestLetter(wtmrRequestToMaastricht());
  t.same(letter.blocks[2], {
    kind: 'details',
    rows: [
      { label: 'Datum', value: '19 november 2025', strong: false },
      { label: 'Ons kenmerk', value: 'ESZL-PB-2025-11-19-WTMR', strong: false },
      { label: 'Onderwerp', value: 'Verzoek om instemming met principebesluit bijdrage Welcome to Maastricht Region 2026-2027', strong: true },
    ],
  });
  t.equal(letter.title, 'Verzoek om instemming met principebesluit bijdrage Welcome to Maastricht Region 2026-2027');
  t.equal(letter.runningHead, 'Gemeente Maastricht · ons kenmerk ESZL-PB-2025-11-19-WTMR · 19 november 2025');
});

t.test('every fact of the request is in the letter', async (t) => {
  const requests = { wtmr: wtmrRequestToMaastricht(), amkb: amkbRequestToMaastricht(), heerlen: wtmrRequestToHeerlenAfterMaastricht(), rich: richRequest() };
  for (const [name, request] of Object.entries(requests)) {
    const text = letterText(ratificationRequestLetter(request));
    for (const fact of requestFacts(request)) t.ok(text.includes(fact), `${name}: ${fact}`);
  }
});

t.test('asks for a decision by the due date, or as soon as possible when the statute sets no period', async (t) => {
  const withDue = sectionText(ratificationRequestLetter(richRequest()), 'Ons verzoek');
  t.equal(
    withDue,
    'Wij verzoeken uw college uiterlijk op 18 januari 2026 te besluiten of het met dit principebesluit instemt, en ons dat besluit te ' +
      'laten weten onder vermelding van kenmerk ESZL-PB-2025-11-19-WTMR.',
  );
  const withoutDue = sectionText(ratificationRequestLetter(wtmrRequestToMaastricht()), 'Ons verzoek');
  t.match(withoutDue, /De statuten stellen hiervoor geen termijn; wij zien uw besluit graag zo spoedig mogelijk tegemoet\.$/);
  t.notMatch(withoutDue, /uiterlijk/);
});

t.test('the votes so far: none yet, or each college with its outcome and date, and who has still to decide', async (t) => {
  t.equal(sectionText(ratificationRequestLetter(wtmrRequestToMaastricht()), 'Stand van de instemming'), 'Nog geen van de colleges heeft over dit besluit beslist.');
  t.equal(
    sectionText(ratificationRequestLetter(wtmrRequestToHeerlenAfterMaastricht()), 'Stand van de instemming'),
    'Tot nu toe heeft één college over het besluit beslist:\nMaastricht: ingestemd op 3 februari 2026\nHet college van Sittard-Geleen heeft nog niet beslist.',
  );
  const two = wtmrRequestToHeerlenAfterMaastricht();
  two.municipality = { id: IDS.sittardGeleen, name: 'Gemeente Sittard-Geleen' };
  two.votes.push({ municipality: { id: IDS.heerlen, name: 'Gemeente Heerlen' }, outcome: 'reject', decidedOn: '2026-02-10' });
  t.equal(
    sectionText(ratificationRequestLetter(two), 'Stand van de instemming'),
    'Tot nu toe hebben deze colleges over het besluit beslist:\nMaastricht: ingestemd op 3 februari 2026\nHeerlen: niet ingestemd op 10 februari 2026',
    'nobody but the addressee is still to decide',
  );
});

t.test('a college that already decided is told what it decided instead of being asked again', async (t) => {
  const decided = { ...wtmrRequestToMaastricht(), votes: wtmrRequestToHeerlenAfterMaastricht().votes, dueDate: '2026-02-17' };
  const text = sectionText(ratificationRequestLetter(decided), 'Ons verzoek');
  t.equal(
    text,
    'Uw college heeft op 3 februari 2026 over dit besluit beslist (ingestemd). Deze brief legt het verzoek vast zoals het register ' +
      'het kent; uw college hoeft er niets meer mee te doen. De gevraagde beslisdatum was 17 februari 2026.',
  );
});

t.test('the footer names the decision, the audit seq and the log checkpoint, or that none covers it yet', async (t) => {
  t.same(verificationFooter(wtmrRequestToMaastricht()), [
    'Verificatie: besluit 6b3ddc5d-6585-4293-ad0a-1d65c6367a3e · stand na auditgebeurtenis seq 22',
    'Logcontrolepunt: omvang 23 · wortelhash 5e0d2a8c1f4b7e39a6c0d58b2f91e4a7c3b6d0e2f8a15c9d4b7e0a3f6c2d8b1e',
  ]);
  t.same(verificationFooter(amkbRequestToMaastricht()), [
    'Verificatie: besluit 45ad16a9-f391-4bcd-a818-cec964474397 · stand na auditgebeurtenis seq 23',
    'Logcontrolepunt: nog geen controlepunt van het log omvat deze stand',
  ]);
  t.same(ratificationRequestLetter(wtmrRequestToMaastricht()).pageNumber, { prefix: 'Pagina ', separator: ' van ' });
});

t.test('the same request gives the same letter, and a changed fact changes it', async (t) => {
  const first = ratificationRequestLetter(wtmrRequestToMaastricht());
  t.same(ratificationRequestLetter(wtmrRequestToMaastricht()), first);
  t.equal(JSON.stringify(ratificationRequestLetter(wtmrRequestToMaastricht())), JSON.stringify(first), 'plain data, word for word');
  const changed = wtmrRequestToMaastricht();
  changed.commitments[0]!.amountCents = 14_000_001;
  t.not(JSON.stringify(ratificationRequestLetter(changed)), JSON.stringify(first));
});
