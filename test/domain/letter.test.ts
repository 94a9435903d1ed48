import t from 'tap';
import { keepsWithNext, type LetterBlock } from '../../src/domain/letter.js';

t.test('a heading and a paragraph that announces a list stay with the block after them; nothing else does', async (t) => {
  const cases: [LetterBlock, boolean][] = [
    [{ kind: 'heading', text: 'Voorwaarden' }, true],
    [{ kind: 'paragraph', text: 'Het bestuur verbindt aan dit besluit de volgende voorwaarden:', style: 'body' }, true],
    [{ kind: 'paragraph', text: 'Dat dekt de bijdrage.', style: 'body' }, false],
    [{ kind: 'paragraph', text: 'Samenvatting: “tekst”', style: 'quote' }, false],
    [{ kind: 'list', items: ['a:'] }, false],
    [{ kind: 'salutation', text: 'Geacht college,' }, false],
    [{ kind: 'table', table: { columns: [], rows: [], total: null } }, false],
  ];
  for (const [block, keeps] of cases) t.equal(keepsWithNext(block), keeps, `${block.kind}: ${'text' in block ? block.text : ''}`);
});
