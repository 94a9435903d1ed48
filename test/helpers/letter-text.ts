import type { Letter, LetterBlock } from '../../src/domain/letter.js';

/** The words of one block, as a reader meets them (table cells in row order). */
export function blockText(block: LetterBlock): string {
  switch (block.kind) {
    case 'letterhead':
      return [block.name, ...block.lines].join('\n');
    case 'addressee':
      return block.lines.join('\n');
    case 'details':
      return block.rows.map((r) => `${r.label} ${r.value}`).join('\n');
    case 'table':
      return [block.table.columns.map((c) => c.header), ...block.table.rows, ...(block.table.total ? [block.table.total] : [])].map((r) => r.join(' ')).join('\n');
    case 'list':
      return block.items.join('\n');
    case 'closing':
      return [block.greeting, ...block.signature].join('\n');
    default:
      return block.text;
  }
}

/** Every word of the letter: its blocks, then its footer. */
export function letterText(letter: Letter): string {
  return [...letter.blocks.map(blockText), ...letter.footer].join('\n');
}

/** The text of the blocks between a heading and the next heading. */
export function sectionText(letter: Letter, heading: string): string {
  const start = letter.blocks.findIndex((b) => b.kind === 'heading' && b.text === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const rest = letter.blocks.slice(start + 1);
  const end = rest.findIndex((b) => b.kind === 'heading' || b.kind === 'closing');
  return rest.slice(0, end < 0 ? undefined : end).map(blockText).join('\n');
}
