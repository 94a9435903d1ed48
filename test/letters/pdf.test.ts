import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { ratificationRequestLetter } from '../../src/domain/ratification-request-letter.js';
import type { RatificationRequest } from '../../src/domain/ratification-request.js';
import { renderLetterPdf } from '../../src/letters/pdf.js';
import { flatten, pdfInfo, pdfText, pdfWords, POPPLER_MISSING } from '../helpers/poppler.js';
import {
  amkbRequestToMaastricht, requestFacts, wtmrRequestToHeerlenAfterMaastricht, wtmrRequestToMaastricht,
} from '../helpers/ratification-requests.js';

const render = (request: RatificationRequest) => renderLetterPdf(ratificationRequestLetter(request));
const skip = { skip: POPPLER_MISSING };

t.test('the same letter gives the same bytes, rendered a second apart; another fact gives other bytes', async (t) => {
  const first = await render(wtmrRequestToMaastricht());
  await sleep(1100);
  const second = await render(wtmrRequestToMaastricht());
  t.equal(first.subarray(0, 5).toString('latin1'), '%PDF-');
  t.ok(first.equals(second), `${first.length} and ${second.length} bytes, identical`);
  const changed = wtmrRequestToMaastricht();
  changed.auditSeq = 23;
  t.notOk((await render(changed)).equals(first));
});

t.test('rendering leaves the letter as it was (pdfmake decorates what it lays out in place)', async (t) => {
  const letter = ratificationRequestLetter(wtmrRequestToMaastricht());
  const before = JSON.stringify(letter);
  await renderLetterPdf(letter);
  t.equal(JSON.stringify(letter), before, 'the same content');
  t.doesNotThrow(() => structuredClone(letter), 'still plain data (a worker thread can be sent it)');
});

t.test('an A4 document in Dutch, titled by its subject and dated by the letter, not by the clock', skip, async (t) => {
  const info = pdfInfo(await render(wtmrRequestToMaastricht()));
  t.match(info['Page size'], /^595\.28 x 841\.89 pts \(A4\)/);
  t.equal(info.Title, 'Verzoek om instemming met principebesluit bijdrage Welcome to Maastricht Region 2026-2027');
  t.equal(info.Author, 'Stichting Economische Samenwerking Zuid-Limburg');
  t.equal(info.CreationDate, '2025-11-19T00:00:00Z');
  t.equal(info.ModDate, '2025-11-19T00:00:00Z');
  t.equal(info.Pages, '2');
});

t.test('a reader finds every fact of the request in the text of the PDF', skip, async (t) => {
  const requests = { wtmr: wtmrRequestToMaastricht(), amkb: amkbRequestToMaastricht(), heerlen: wtmrRequestToHeerlenAfterMaastricht() };
  for (const [name, request] of Object.entries(requests)) {
    const text = flatten(pdfText(await render(request)));
    for (const fact of requestFacts(request)) t.ok(text.includes(flatten(fact)), `${name}: ${fact}`);
  }
});

t.test('the seed facts read as a Dutch municipality writes them', skip, async (t) => {
  const wtmr = flatten(pdfText(await render(wtmrRequestToMaastricht())));
  for (const written of [
    'Aan het college van burgemeester en wethouders van de gemeente Maastricht',
    'Onderwerp Verzoek om instemming met principebesluit bijdrage Welcome to Maastricht Region 2026-2027',
    'In zijn vergadering van 19 november 2025',
    '€ 140.000,00', '€ 250.000,00', '€ 390.000,00', '€ 100.000,00',
    'Uiterlijk 15 februari 2026: WTMR submits measurable result criteria, including at least the expected number of placements.',
    '(Statuten ESZL, versie 1)',
    'Het bestuur van Stichting Economische Samenwerking Zuid-Limburg',
  ]) {
    t.ok(wtmr.includes(written), written);
  }
  t.ok(flatten(pdfText(await render(amkbRequestToMaastricht()))).includes('Kwartiermakersfase 2026 € 202.500,00'), 'AMKB: EUR 202,500 for the kwartiermaker phase');
});

t.test('every page carries the verification footer, its page number, and after the first the running head', skip, async (t) => {
  const pdf = await render(wtmrRequestToMaastricht());
  for (const page of [1, 2]) {
    const text = flatten(pdfText(pdf, { first: page, last: page }));
    t.ok(text.includes('Verificatie: besluit 6b3ddc5d-6585-4293-ad0a-1d65c6367a3e · stand na auditgebeurtenis seq 22'), `page ${page}: decision and seq`);
    t.ok(text.includes('Logcontrolepunt: omvang 23 · wortelhash 5e0d2a8c1f4b7e39a6c0d58b2f91e4a7c3b6d0e2f8a15c9d4b7e0a3f6c2d8b1e'), `page ${page}: checkpoint`);
    t.ok(text.includes(`Pagina ${page} van 2`), `page ${page}: number`);
    t.equal(text.includes('Gemeente Maastricht · ons kenmerk ESZL-PB-2025-11-19-WTMR · 19 november 2025'), page > 1, `page ${page}: running head`);
  }
});

t.test('amounts stand right-aligned in their column, the total under them', skip, async (t) => {
  const words = pdfWords(await render(wtmrRequestToMaastricht()), 1);
  const find = (text: string) => words.filter((w) => w.text === text);
  const [header] = find('Bedrag').map((w) => w.xMax);
  const [first] = find('140.000,00');
  const [second] = find('250.000,00');
  // The total is the first "390.000,00" below the last row (the body names the total too).
  const total = find('390.000,00').filter((w) => second !== undefined && w.yMin > second.yMin).sort((a, b) => a.yMin - b.yMin)[0];
  const column = [first, second, total].flatMap((w) => (w === undefined ? [] : [w.xMax]));
  t.equal(column.length, 3);
  for (const xMax of column) t.ok(header !== undefined && Math.abs(xMax - header) < 0.5, `${xMax} ends where the header ends (${header})`);
  t.ok(header !== undefined && Math.abs(header - (595.28 - 56)) < 0.5, 'the column ends at the right margin');
});

t.test('letters outside Latin-1 survive: the font is embedded, not one of the standard fonts', skip, async (t) => {
  const request = wtmrRequestToMaastricht();
  request.coFinancing[0]!.funder.name = 'Fundacja Łódź, Zoë Şahin en Ørsted';
  const text = flatten(pdfText(await render(request)));
  t.ok(text.includes('Fundacja Łódź, Zoë Şahin en Ørsted'), text.slice(text.indexOf('Fundacja'), text.indexOf('Fundacja') + 40));
});
