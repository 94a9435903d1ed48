import t from 'tap';
import { ratificationRequestLetter } from '../../src/domain/ratification-request-letter.js';
import { renderLetterDocx } from '../../src/letters/docx.js';
import { renderLetterPdf } from '../../src/letters/pdf.js';
import { letterRenderer } from '../../src/letters/renderer.js';
import { amkbRequestToMaastricht, wtmrRequestToMaastricht } from '../helpers/ratification-requests.js';

const wtmr = ratificationRequestLetter(wtmrRequestToMaastricht());
const amkb = ratificationRequestLetter(amkbRequestToMaastricht());
const unchanged = JSON.stringify([wtmr, amkb]);

t.test('a worker thread renders the very bytes the event loop renders, PDF and DOCX, several at once', async (t) => {
  const renderer = letterRenderer(2);
  t.teardown(() => renderer.close());
  const [pdf, docx, otherPdf, again] = await Promise.all([
    renderer.render('pdf', wtmr),
    renderer.render('docx', wtmr),
    renderer.render('pdf', amkb),
    renderer.render('pdf', wtmr),
  ]);
  t.ok(Buffer.isBuffer(pdf), 'a Buffer comes back');
  t.ok(pdf.equals(await renderLetterPdf(wtmr)), 'the PDF of the event loop');
  t.ok(docx.equals(await renderLetterDocx(wtmr)), 'the DOCX of the event loop');
  t.ok(otherPdf.equals(await renderLetterPdf(amkb)), "another letter's PDF");
  t.notOk(otherPdf.equals(pdf));
  t.ok(again.equals(pdf), 'the same letter twice, the same bytes');
  t.equal(renderer.renderedInThreads, 4, 'all four in the threads');
});

t.test('closed, the renderer starts its threads again on the next letter', async (t) => {
  const renderer = letterRenderer(1);
  t.teardown(() => renderer.close());
  const first = await renderer.render('pdf', wtmr);
  await renderer.close();
  const second = await renderer.render('pdf', wtmr);
  t.ok(second.equals(first));
  t.equal(renderer.renderedInThreads, 2);
});

t.test('with 0 threads the letter renders on the event loop, the same bytes', async (t) => {
  const renderer = letterRenderer(0);
  t.ok((await renderer.render('pdf', wtmr)).equals(await renderLetterPdf(wtmr)));
  t.ok((await renderer.render('docx', wtmr)).equals(await renderLetterDocx(wtmr)));
  t.equal(renderer.renderedInThreads, 0, 'no thread rendered anything');
  await renderer.close();
});

t.test('no render changed the letters it was given', async (t) => {
  t.equal(JSON.stringify([wtmr, amkb]), unchanged);
});
