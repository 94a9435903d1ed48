import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { ratificationRequestLetter } from '../../src/domain/ratification-request-letter.js';
import type { RatificationRequest } from '../../src/domain/ratification-request.js';
import { coreProperties, renderLetterDocx } from '../../src/letters/docx.js';
import { dosDateTime } from '../../src/letters/zip-times.js';
import {
  amkbRequestToMaastricht, requestFacts, wtmrRequestToHeerlenAfterMaastricht, wtmrRequestToMaastricht,
} from '../helpers/ratification-requests.js';
import { wordText, zipEntries } from '../helpers/zip-entries.js';

const render = (request: RatificationRequest) => renderLetterDocx(ratificationRequestLetter(request));
const part = (docx: Buffer, name: string) => {
  const entry = zipEntries(docx).get(name);
  if (entry === undefined) throw new Error(`no ${name} in the document`);
  return entry.data.toString('utf8');
};
const flat = (text: string) => text.replace(/[\s\u00a0]+/g, ' ');

t.test('the same letter gives the same bytes, packed more than two seconds apart (the ZIP clock ticks in two)', async (t) => {
  const first = await render(wtmrRequestToMaastricht());
  await sleep(2100);
  const second = await render(wtmrRequestToMaastricht());
  t.equal(first.readUInt32LE(0), 0x04034b50, 'a ZIP archive');
  t.ok(first.equals(second), `${first.length} and ${second.length} bytes, identical`);
  const changed = wtmrRequestToMaastricht();
  changed.auditSeq = 23;
  t.notOk((await render(changed)).equals(first));
});

t.test('every entry and the core properties are dated by the letter, not by the clock', async (t) => {
  const docx = await render(wtmrRequestToMaastricht());
  const stamp = dosDateTime('2025-11-19');
  const entries = [...zipEntries(docx).values()];
  t.ok(entries.length > 5);
  for (const entry of entries) {
    t.same([entry.dosDate, entry.dosTime, entry.localDosDate, entry.localDosTime], [stamp.date, 0, stamp.date, 0], entry.name);
  }
  const core = part(docx, 'docProps/core.xml');
  t.match(core, '<dcterms:created xsi:type="dcterms:W3CDTF">2025-11-19T00:00:00Z</dcterms:created>');
  t.match(core, '<dcterms:modified xsi:type="dcterms:W3CDTF">2025-11-19T00:00:00Z</dcterms:modified>');
  t.match(core, '<dc:title>Verzoek om instemming met principebesluit bijdrage Welcome to Maastricht Region 2026-2027</dc:title>');
  t.match(core, '<dc:language>nl-NL</dc:language>');
});

t.test('the core properties escape what XML must escape', async (t) => {
  const letter = ratificationRequestLetter({ ...wtmrRequestToMaastricht(), subject: 'A & B <C> "D"' });
  t.match(coreProperties(letter), '<dc:title>A &amp; B &lt;C&gt; &quot;D&quot;</dc:title>');
});

t.test('word/document.xml holds every fact of the body; the footer part holds the verification', async (t) => {
  const requests = { wtmr: wtmrRequestToMaastricht(), amkb: amkbRequestToMaastricht(), heerlen: wtmrRequestToHeerlenAfterMaastricht() };
  for (const [name, request] of Object.entries(requests)) {
    const docx = await render(request);
    const body = flat(wordText(part(docx, 'word/document.xml')));
    const footer = flat(wordText(part(docx, 'word/footer1.xml')));
    const footerFacts = new Set([request.decisionId, `seq ${request.auditSeq}`, ...(request.checkpoint ? [`omvang ${request.checkpoint.treeSize}`, request.checkpoint.rootHash] : [])]);
    for (const fact of requestFacts(request)) {
      t.ok((footerFacts.has(fact) ? footer : body).includes(flat(fact)), `${name}: ${fact}`);
    }
  }
});

t.test('A4 with the running head from the second page, the footer and page number fields on every page', async (t) => {
  const docx = await render(wtmrRequestToMaastricht());
  const document = part(docx, 'word/document.xml');
  t.match(document, /<w:pgSz w:w="11906" w:h="16838"/, 'A4 in twips');
  t.match(document, '<w:titlePg/>', 'the first page has its own header');
  const footer = part(docx, 'word/footer1.xml');
  t.same(part(docx, 'word/footer2.xml'), footer, 'the first page has the same footer');
  t.match(footer, /<w:instrText[^>]*>PAGE<\/w:instrText>[\s\S]*<w:instrText[^>]*>NUMPAGES<\/w:instrText>/);
  t.match(wordText(footer), 'Pagina  van ', 'the words around the fields');
  const heads = [part(docx, 'word/header1.xml'), part(docx, 'word/header2.xml')].map(wordText);
  t.ok(heads.includes('Gemeente Maastricht · ons kenmerk ESZL-PB-2025-11-19-WTMR · 19 november 2025'), 'the running head');
  t.ok(heads.includes(''), 'and the empty header of the first page');
  t.match(part(docx, 'word/styles.xml'), '<w:lang w:val="nl-NL"/>');
});

t.test('amounts are right-aligned in their cells, headings keep with what follows, the addressee takes two lines', async (t) => {
  const document = part(await render(wtmrRequestToMaastricht()), 'word/document.xml');
  for (const amount of ['140.000,00', '250.000,00', '390.000,00']) {
    const paragraph = new RegExp(`<w:p>(?:(?!</w:p>).)*€\u00a0${amount.replace('.', '\\.')}</w:t>`).exec(document)?.[0] ?? '';
    t.match(paragraph, '<w:jc w:val="right"/>', amount);
  }
  t.match(document, /<w:p><w:pPr><w:keepNext\/>(?:(?!<\/w:p>).)*>Voorwaarden<\/w:t>/);
  t.ok(wordText(document).includes('Aan het college van burgemeester en wethouders\nvan de gemeente Maastricht'), 'the addressee on two lines');
});
