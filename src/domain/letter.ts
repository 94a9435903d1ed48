/**
 * A letter as renderer-neutral content: what it says and in which order, never how a page is
 * drawn. The PDF and DOCX renderers (`src/letters/`) each turn the same blocks into their format,
 * so both carry the same words; typography is theirs.
 */
export interface LetterColumn {
  header: string;
  align: 'left' | 'right';
  /** Relative share of the table's width. */
  weight: number;
}

export interface LetterTable {
  columns: LetterColumn[];
  rows: string[][];
  /** The closing row (totals), set apart; null when the table has none. */
  total: string[] | null;
}

export type LetterBlock =
  | { kind: 'letterhead'; name: string; lines: string[] }
  | { kind: 'addressee'; lines: string[] }
  /** Date, reference, subject: label and value side by side; `strong` sets a value apart (the subject). */
  | { kind: 'details'; rows: { label: string; value: string; strong: boolean }[] }
  | { kind: 'salutation'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string; style: 'body' | 'quote' }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; table: LetterTable }
  | { kind: 'closing'; greeting: string; signature: string[] };

export interface Letter {
  /** BCP 47 tag of the letter's language. */
  language: string;
  title: string;
  author: string;
  /** YYYY-MM-DD: the letter's date, also the document's creation date in its metadata. */
  date: string;
  blocks: LetterBlock[];
  /** Printed at the head of every page after the first, so a loose page still names its letter. */
  runningHead: string;
  /** Printed at the foot of every page, above the page number. */
  footer: string[];
  /** The page number reads `<prefix><page><separator><pages>`. */
  pageNumber: { prefix: string; separator: string };
}

/**
 * A heading, and a paragraph that announces what follows (ends in a colon), belong on the page of
 * the block after them: a page never ends on "the following conditions:".
 */
export function keepsWithNext(block: LetterBlock): boolean {
  return block.kind === 'heading' || (block.kind === 'paragraph' && block.text.endsWith(':'));
}
