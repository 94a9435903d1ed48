import { createRequire } from 'node:module';
import pdfmake from 'pdfmake';
import type { Content, CustomTableLayout, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { keepsWithNext, type Letter, type LetterBlock, type LetterTable } from '../domain/letter.js';

/**
 * A letter as PDF (pdfmake, server side): A4, a letterhead, the addressee where a window envelope
 * shows it, tables with amounts right-aligned, and on every page the verification footer and the
 * page number. Deterministic: the metadata dates are the letter's date and pdfkit derives the
 * file id from them, so the same letter gives the same bytes.
 *
 * The font is Roboto as the pdfmake package ships it, embedded (subset): the register's texts
 * may hold any Latin letter, which the standard PDF fonts (WinAnsi only) cannot show. Nothing
 * else is read: local files other than these four and every URL are refused.
 */
const require = createRequire(import.meta.url);
const ROBOTO = {
  normal: require.resolve('pdfmake/fonts/Roboto/Roboto-Regular.ttf'),
  bold: require.resolve('pdfmake/fonts/Roboto/Roboto-Medium.ttf'),
  italics: require.resolve('pdfmake/fonts/Roboto/Roboto-Italic.ttf'),
  bolditalics: require.resolve('pdfmake/fonts/Roboto/Roboto-MediumItalic.ttf'),
};
const FONT_FILES = new Set(Object.values(ROBOTO));
pdfmake.setFonts({ Roboto: ROBOTO });
pdfmake.setLocalAccessPolicy((path) => FONT_FILES.has(path));
pdfmake.setUrlAccessPolicy(() => false);

const A4_WIDTH = 595.28;
const MARGIN = { left: 72, top: 56, right: 56, bottom: 92 };
const CONTENT_WIDTH = A4_WIDTH - MARGIN.left - MARGIN.right;
const INK = '#1a1a1a';
const MUTED = '#5a6270';
const ACCENT = '#1f3a5f';
const RULE = '#c5ccd6';

/** Horizontal rules only: under the header, hairlines between rows, a firm line above the total. */
function tableLayout(table: LetterTable): CustomTableLayout {
  const rows = table.rows.length + 1 + (table.total === null ? 0 : 1);
  return {
    hLineWidth: (i) => (i === 1 || (table.total !== null && i === rows - 1) ? 0.8 : i === 0 || i === rows ? 0 : 0.3),
    hLineColor: (i) => (i === 1 || (table.total !== null && i === rows - 1) ? ACCENT : RULE),
    vLineWidth: () => 0,
    paddingLeft: (i) => (i === 0 ? 0 : 6),
    paddingRight: (i, node) => (i === (node.table.widths?.length ?? 1) - 1 ? 0 : 6),
    paddingTop: () => 3,
    paddingBottom: () => 3,
  };
}

function table(letterTable: LetterTable): Content {
  const weights = letterTable.columns.reduce((sum, c) => sum + c.weight, 0);
  const cell = (text: string, i: number, bold: boolean, header = false): TableCell => ({
    text,
    bold,
    alignment: letterTable.columns[i]?.align ?? 'left',
    ...(header && { color: MUTED, fontSize: 8.5 }),
  });
  const body: TableCell[][] = [
    letterTable.columns.map((c, i) => cell(c.header, i, true, true)),
    ...letterTable.rows.map((row) => row.map((text, i) => cell(text, i, false))),
    ...(letterTable.total === null ? [] : [letterTable.total.map((text, i) => cell(text, i, true))]),
  ];
  return {
    // pdfmake's widths leave out the cell padding: 6 pt on each inner side of a cell.
    table: { headerRows: 1, dontBreakRows: true, widths: letterTable.columns.map((c) => (c.weight / weights) * (CONTENT_WIDTH - 12 * (letterTable.columns.length - 1))), body },
    layout: tableLayout(letterTable),
    fontSize: 9.5,
    margin: [0, 2, 0, 8],
  };
}

function block(letterBlock: LetterBlock): Content {
  switch (letterBlock.kind) {
    case 'letterhead':
      return {
        stack: [
          { text: letterBlock.name, fontSize: 15, bold: true, color: ACCENT },
          { canvas: [{ type: 'line', x1: 0, y1: 4, x2: CONTENT_WIDTH, y2: 4, lineWidth: 1.2, lineColor: ACCENT }] },
          ...letterBlock.lines.map((line) => ({ text: line, fontSize: 8.5, color: MUTED, margin: [0, 5, 0, 0] as [number, number, number, number] })),
        ],
      };
    case 'addressee':
      return { stack: letterBlock.lines, fontSize: 10.5, margin: [0, 48, 0, 0] };
    case 'details':
      return {
        table: { widths: [72, '*'], body: letterBlock.rows.map((row) => [{ text: row.label, color: MUTED, fontSize: 8.5 }, { text: row.value, bold: row.strong }]) },
        layout: { hLineWidth: () => 0, vLineWidth: () => 0, paddingLeft: () => 0, paddingTop: () => 1.5, paddingBottom: () => 1.5 },
        margin: [0, 36, 0, 0],
      };
    case 'salutation':
      return { text: letterBlock.text, margin: [0, 26, 0, 8] };
    case 'heading':
      return { text: letterBlock.text, bold: true, fontSize: 10.5, color: ACCENT, margin: [0, 10, 0, 3] };
    case 'paragraph':
      return letterBlock.style === 'quote'
        ? { text: letterBlock.text, italics: true, color: MUTED, margin: [14, 0, 14, 8] }
        : { text: letterBlock.text, margin: [0, 0, 0, 6] };
    case 'list':
      return { ul: letterBlock.items, margin: [6, 0, 0, 6] };
    case 'table':
      return table(letterBlock.table);
    case 'closing':
      return { stack: [letterBlock.greeting, { stack: letterBlock.signature, margin: [0, 30, 0, 0] }], margin: [0, 14, 0, 0], unbreakable: true };
  }
}

/** A page never ends on a heading or on the paragraph that announces a list. */
function content(blocks: readonly LetterBlock[]): Content[] {
  const out: Content[] = [];
  let group: Content[] = [];
  for (const letterBlock of blocks) {
    group.push(block(letterBlock));
    if (keepsWithNext(letterBlock)) continue;
    out.push(group.length === 1 ? group[0]! : { stack: group, unbreakable: true });
    group = [];
  }
  out.push(...group);
  return out;
}

export function letterPdfDefinition(letter: Letter): TDocumentDefinitions {
  const date = new Date(`${letter.date}T00:00:00Z`);
  return {
    pageSize: 'A4',
    pageMargins: [MARGIN.left, MARGIN.top, MARGIN.right, MARGIN.bottom],
    language: letter.language,
    version: '1.7',
    info: { title: letter.title, author: letter.author, subject: letter.title, creator: letter.author, producer: 'pdfmake', creationDate: date, modDate: date },
    defaultStyle: { font: 'Roboto', fontSize: 10, lineHeight: 1.25, color: INK },
    content: content(letter.blocks),
    header: (page) =>
      page === 1 ? null : { text: letter.runningHead, fontSize: 7.5, color: MUTED, margin: [MARGIN.left, 28, MARGIN.right, 0] },
    footer: (page, pages) => ({
      margin: [MARGIN.left, 24, MARGIN.right, 0],
      stack: [
        { canvas: [{ type: 'line', x1: 0, y1: 0, x2: CONTENT_WIDTH, y2: 0, lineWidth: 0.4, lineColor: RULE }] },
        {
          columns: [
            { stack: letter.footer, fontSize: 7, color: MUTED, lineHeight: 1.3 },
            { text: `${letter.pageNumber.prefix}${page}${letter.pageNumber.separator}${pages}`, width: 'auto', fontSize: 8, color: MUTED, alignment: 'right' },
          ],
          columnGap: 12,
          margin: [0, 5, 0, 0],
        },
      ],
    }),
  };
}

/**
 * The letter as PDF bytes: the same letter, the same bytes. pdfmake decorates the nodes it lays
 * out in place, and the definition holds the letter's own arrays (the footer's lines, say): it
 * gets a copy, so the letter is left as it was.
 */
export function renderLetterPdf(letter: Letter): Promise<Buffer> {
  return pdfmake.createPdf(letterPdfDefinition(structuredClone(letter))).getBuffer();
}
