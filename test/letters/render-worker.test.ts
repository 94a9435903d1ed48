import t from 'tap';
import { ratificationRequestLetter } from '../../src/domain/ratification-request-letter.js';
import renderLetter from '../../src/letters/render-worker.js';
import { wtmrRequestToMaastricht } from '../helpers/ratification-requests.js';

const letter = ratificationRequestLetter(wtmrRequestToMaastricht());

t.test('the task renders the format it names', async (t) => {
  t.equal((await renderLetter({ format: 'pdf', letter })).subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF');
  t.equal((await renderLetter({ format: 'docx', letter })).subarray(0, 2).toString('latin1'), 'PK', 'a DOCX (a ZIP)');
});
