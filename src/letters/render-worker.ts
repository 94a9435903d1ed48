import type { Letter } from '../domain/letter.js';
import { renderLetterDocx } from './docx.js';
import { renderLetterPdf } from './pdf.js';

export type LetterFormat = 'pdf' | 'docx';

export interface RenderTask {
  format: LetterFormat;
  letter: Letter;
}

/** One letter to its bytes: the task a thread of `letterRenderer` runs (or the event loop, with no threads). */
export default function renderLetter({ format, letter }: RenderTask): Promise<Buffer> {
  return format === 'pdf' ? renderLetterPdf(letter) : renderLetterDocx(letter);
}
