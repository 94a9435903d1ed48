import {
  AlignmentType, BorderStyle, Document, Footer, Header, Packer, PageNumber, Paragraph, Table, TableCell, TableRow,
  TabStopType, TextRun, WidthType, type IBorderOptions, type IParagraphOptions,
} from 'docx';
import { keepsWithNext, type Letter, type LetterBlock, type LetterTable } from '../domain/letter.js';
import { withFixedZipTimes } from './zip-times.js';

/**
 * A letter as an editable Word document (docx), for the college proposal a municipality writes
 * from it: the same blocks as the PDF, A4, the running head from the second page on, the
 * verification footer and page number on every page. Arial, which every office has, since a
 * Word document does not carry its font.
 *
 * Deterministic: the core properties (created, modified) are the letter's date, written here
 * instead of the library's wall-clock stamp, and every ZIP entry is dated that day too.
 */
const TWIPS_PER_MM = 1440 / 25.4;
const PAGE = { width: 11906, height: 16838 };
const MARGIN = { left: Math.round(25.4 * TWIPS_PER_MM), right: Math.round(20 * TWIPS_PER_MM), top: Math.round(20 * TWIPS_PER_MM), bottom: Math.round(30 * TWIPS_PER_MM) };
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const MUTED = '5A6270';
const ACCENT = '1F3A5F';
const RULE = 'C5CCD6';
const NONE: IBorderOptions = { style: BorderStyle.NONE, size: 0, color: 'auto' };
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE };
const line = (size: number, color: string): IBorderOptions => ({ style: BorderStyle.SINGLE, size, color });

function text(value: string, options: ConstructorParameters<typeof TextRun>[0] & object = {}): TextRun {
  return new TextRun({ ...options, text: value });
}

function table(letterTable: LetterTable): Table {
  const weights = letterTable.columns.reduce((sum, c) => sum + c.weight, 0);
  const widths = letterTable.columns.map((c) => Math.round((c.weight / weights) * CONTENT_WIDTH));
  const lastRow = letterTable.rows.length;
  const row = (cells: string[], kind: 'header' | 'body' | 'total', index = 0) =>
    new TableRow({
      tableHeader: kind === 'header',
      cantSplit: true,
      children: cells.map(
        (cell, i) =>
          new TableCell({
            width: { size: widths[i] ?? 0, type: WidthType.DXA },
            margins: { top: 50, bottom: 50, left: i === 0 ? 0 : 100, right: i === cells.length - 1 ? 0 : 100 },
            borders: {
              ...NO_BORDERS,
              ...(kind === 'header' && { bottom: line(6, ACCENT) }),
              ...(kind === 'body' && index < lastRow - 1 && { bottom: line(2, RULE) }),
              ...(kind === 'total' && { top: line(6, ACCENT) }),
            },
            children: [
              new Paragraph({
                alignment: letterTable.columns[i]?.align === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
                spacing: { after: 0 },
                children: [text(cell, kind === 'header' ? { bold: true, color: MUTED, size: 17 } : { bold: kind === 'total', size: 19 })],
              }),
            ],
          }),
      ),
    });
  return new Table({
    width: { size: CONTENT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    borders: { ...NO_BORDERS, insideHorizontal: NONE, insideVertical: NONE },
    rows: [
      row(letterTable.columns.map((c) => c.header), 'header'),
      ...letterTable.rows.map((cells, i) => row(cells, 'body', i)),
      ...(letterTable.total === null ? [] : [row(letterTable.total, 'total')]),
    ],
  });
}

function details(rows: { label: string; value: string; strong: boolean }[]): Table {
  const widths = [1440, CONTENT_WIDTH - 1440];
  return new Table({
    width: { size: CONTENT_WIDTH, type: WidthType.DXA },
    columnWidths: widths,
    borders: { ...NO_BORDERS, insideHorizontal: NONE, insideVertical: NONE },
    rows: rows.map(
      (r) =>
        new TableRow({
          children: [
            new TableCell({ width: { size: widths[0]!, type: WidthType.DXA }, borders: NO_BORDERS, margins: { left: 0, top: 30, bottom: 30 }, children: [new Paragraph({ spacing: { after: 0 }, children: [text(r.label, { color: MUTED, size: 17 })] })] }),
            new TableCell({ width: { size: widths[1]!, type: WidthType.DXA }, borders: NO_BORDERS, margins: { top: 30, bottom: 30 }, children: [new Paragraph({ spacing: { after: 0 }, children: [text(r.value, { bold: r.strong })] })] }),
          ],
        }),
    ),
  });
}

function blocks(letterBlock: LetterBlock): (Paragraph | Table)[] {
  const keepNext = keepsWithNext(letterBlock);
  const paragraph = (options: IParagraphOptions) => new Paragraph({ ...(keepNext && { keepNext }), ...options });
  switch (letterBlock.kind) {
    case 'letterhead':
      return [
        paragraph({ border: { bottom: line(10, ACCENT) }, spacing: { after: 100 }, children: [text(letterBlock.name, { bold: true, size: 30, color: ACCENT })] }),
        ...letterBlock.lines.map((l) => paragraph({ children: [text(l, { size: 17, color: MUTED })] })),
      ];
    case 'addressee':
      return [paragraph({ spacing: { before: 960, after: 0 }, children: letterBlock.lines.map((l, i) => text(l, { size: 21, break: i === 0 ? 0 : 1 })) })];
    case 'details':
      return [paragraph({ spacing: { before: 720, after: 0 }, children: [] }), details(letterBlock.rows)];
    case 'salutation':
      return [paragraph({ spacing: { before: 480, after: 160 }, children: [text(letterBlock.text)] })];
    case 'heading':
      return [paragraph({ spacing: { before: 200, after: 60 }, children: [text(letterBlock.text, { bold: true, size: 21, color: ACCENT })] })];
    case 'paragraph':
      return letterBlock.style === 'quote'
        ? [paragraph({ indent: { left: 280, right: 280 }, children: [text(letterBlock.text, { italics: true, color: MUTED })] })]
        : [paragraph({ children: [text(letterBlock.text)] })];
    case 'list':
      return letterBlock.items.map((item) => paragraph({ bullet: { level: 0 }, children: [text(item)] }));
    case 'table':
      return [table(letterBlock.table), paragraph({ spacing: { after: 60 }, children: [] })];
    case 'closing':
      return [
        paragraph({ keepNext: true, spacing: { before: 280, after: 600 }, children: [text(letterBlock.greeting)] }),
        ...letterBlock.signature.map((l) => paragraph({ children: [text(l)] })),
      ];
  }
}

/** Header and footer paragraphs take their size from a style, so the page number fields do too. */
const PAGE_STYLES = [
  { id: 'Header', name: 'header', run: { size: 15, color: MUTED }, paragraph: { spacing: { after: 0, line: 240 } } },
  { id: 'Footer', name: 'footer', run: { size: 14, color: MUTED }, paragraph: { spacing: { after: 0, line: 252 } } },
];

function footer(letter: Letter): Footer {
  const [first = '', ...rest] = letter.footer;
  return new Footer({
    children: [
      new Paragraph({
        style: 'Footer',
        border: { top: line(2, RULE) },
        tabStops: [{ type: TabStopType.RIGHT, position: CONTENT_WIDTH }],
        children: [text(first), new TextRun({ children: ['\t', letter.pageNumber.prefix, PageNumber.CURRENT, letter.pageNumber.separator, PageNumber.TOTAL_PAGES] })],
      }),
      ...rest.map((l) => new Paragraph({ style: 'Footer', children: [text(l)] })),
    ],
  });
}

const xml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** docProps/core.xml (ECMA-376 Part 2, Open Packaging Conventions, core properties), dated by the letter. */
export function coreProperties(letter: Letter): string {
  const at = `${letter.date}T00:00:00Z`;
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${xml(letter.title)}</dc:title><dc:subject>${xml(letter.title)}</dc:subject>` +
    `<dc:creator>${xml(letter.author)}</dc:creator><cp:lastModifiedBy>${xml(letter.author)}</cp:lastModifiedBy>` +
    `<cp:revision>1</cp:revision><dc:language>${xml(letter.language)}</dc:language>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${at}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${at}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

export function letterDocument(letter: Letter): Document {
  return new Document({
    title: letter.title,
    creator: letter.author,
    styles: {
      default: {
        document: { run: { font: 'Arial', size: 20, color: '1A1A1A', language: { value: letter.language } }, paragraph: { spacing: { after: 120, line: 276 } } },
      },
      paragraphStyles: PAGE_STYLES,
    },
    sections: [
      {
        properties: { titlePage: true, page: { size: PAGE, margin: { ...MARGIN, header: 567, footer: 567 } } },
        headers: {
          first: new Header({ children: [new Paragraph({ children: [] })] }),
          default: new Header({ children: [new Paragraph({ style: 'Header', children: [text(letter.runningHead)] })] }),
        },
        footers: { first: footer(letter), default: footer(letter) },
        children: letter.blocks.flatMap(blocks),
      },
    ],
  });
}

/** The letter as DOCX bytes: the same letter, the same bytes. */
export async function renderLetterDocx(letter: Letter): Promise<Buffer> {
  const packed = await Packer.toBuffer(letterDocument(letter), false, [{ path: 'docProps/core.xml', data: coreProperties(letter) }]);
  return withFixedZipTimes(packed, letter.date);
}
