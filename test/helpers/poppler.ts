import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Reads a PDF as a reader's tools do, with poppler (Debian's poppler-utils: pdftotext, pdfinfo),
 * an implementation independent of the library that wrote it. CI installs it (.ci/run); a test
 * that needs it skips, saying so, only where it is missing.
 */
export const POPPLER_MISSING = spawnSync('pdftotext', ['-v']).error === undefined ? false : 'pdftotext (poppler-utils) is not installed';

function withFile<T>(pdf: Buffer, read: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'letter-'));
  try {
    const path = join(dir, 'letter.pdf');
    writeFileSync(path, pdf);
    return read(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

/** The text of the PDF (or of pages first..last), as pdftotext reads it in reading order. */
export function pdfText(pdf: Buffer, pages?: { first: number; last: number }): string {
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
  return withFile(pdf, (path) => run('pdftotext', ['-enc', 'UTF-8', ...range, path, '-']));
}

/** Text as one line: line breaks of the layout and runs of spaces (also non-breaking) become one space. */
export function flatten(text: string): string {
  return text.replace(/-\n/g, '-').replace(/[\s\u00a0]+/g, ' ').trim();
}

/** pdfinfo's fields: Title, Author, CreationDate, Pages, Page size, ... */
export function pdfInfo(pdf: Buffer): Record<string, string> {
  const output = withFile(pdf, (path) => run('pdfinfo', ['-isodates', path]));
  return Object.fromEntries(output.split('\n').flatMap((line) => {
    const at = line.indexOf(':');
    return at < 0 ? [] : [[line.slice(0, at).trim(), line.slice(at + 1).trim()]];
  }));
}

export interface Word {
  text: string;
  xMin: number;
  xMax: number;
  yMin: number;
}

/** Every word of one page with its box, from pdftotext -bbox. */
export function pdfWords(pdf: Buffer, page: number): Word[] {
  const html = withFile(pdf, (path) => run('pdftotext', ['-bbox', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), path, '-']));
  const words: Word[] = [];
  for (const match of html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)) {
    words.push({ xMin: Number(match[1]), yMin: Number(match[2]), xMax: Number(match[3]), text: match[4]! });
  }
  return words;
}
