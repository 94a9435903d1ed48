import t from 'tap';
import { appendDocuments, documentProblems, MAX_DOCUMENTS, toDocumentRefs, toRelatedDecisions, type DocumentInput } from '../../src/domain/documents.js';
import { DomainError } from '../../src/domain/errors.js';

const doc = (overrides: Partial<DocumentInput> = {}): DocumentInput => ({ title: 'Besluit', url: 'https://eszl.example/b.pdf', kind: 'board_decision', ...overrides });

function problemPaths(fn: () => unknown): string[] | 'returned' {
  try {
    fn();
    return 'returned';
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return (error.errors ?? []).map((e) => e.path).sort();
  }
}

t.test('documentProblems: https URLs only, sha256 as 64 lower-case hex or null, at most 20', async (t) => {
  const cases: [string, DocumentInput[], string[]][] = [
    ['a valid document', [doc()], []],
    ['every optional field set', [doc({ registrationNumber: '2023.048225', sha256: 'f'.repeat(64), issuedOn: '2023-12-12' })], []],
    ['null optional fields', [doc({ registrationNumber: null, sha256: null, issuedOn: null })], []],
    ['http', [doc({ url: 'http://eszl.example/b.pdf' })], ['/documents/0/url']],
    ['HTTPS in capitals is not the https the contract spells', [doc({ url: 'HTTPS://eszl.example/b.pdf' })], ['/documents/0/url']],
    ['not a URL', [doc({ url: 'https://' })], ['/documents/0/url']],
    ['javascript:', [doc({ url: 'javascript:alert(1)' })], ['/documents/0/url']],
    ['an upper-case hash', [doc({ sha256: 'F'.repeat(64) })], ['/documents/0/sha256']],
    ['a short hash', [doc({ sha256: 'f'.repeat(63) })], ['/documents/0/sha256']],
    ['two problems in two documents', [doc(), doc({ url: 'ftp://x' }), doc({ sha256: 'x' })], ['/documents/1/url', '/documents/2/sha256']],
    ['20 documents', Array.from({ length: MAX_DOCUMENTS }, () => doc()), []],
    ['21 documents', Array.from({ length: MAX_DOCUMENTS + 1 }, () => doc()), ['/documents']],
  ];
  for (const [what, documents, paths] of cases) t.same(documentProblems(documents, '/documents').map((p) => p.path).sort(), paths, what);
});

t.test('toDocumentRefs keeps every field, null when not given, and refuses invalid documents with 400', async (t) => {
  t.same(toDocumentRefs([doc()]), [{ title: 'Besluit', url: 'https://eszl.example/b.pdf', kind: 'board_decision', registrationNumber: null, sha256: null, issuedOn: null }]);
  t.same(problemPaths(() => toDocumentRefs([doc({ url: 'http://x.example' })], '/votes/0/documents')), ['/votes/0/documents/0/url'], 'at the path given');
});

t.test('appendDocuments: the list grows to at most 20 in total', async (t) => {
  const nineteen = toDocumentRefs(Array.from({ length: 19 }, () => doc()));
  t.equal(appendDocuments(nineteen, [doc()]).length, 20);
  t.same(problemPaths(() => appendDocuments(nineteen, [doc(), doc()])), ['/documents']);
  t.same(problemPaths(() => appendDocuments([], [doc({ url: 'http://x.example' })])), ['/documents/0/url']);
});

t.test('toRelatedDecisions: exactly one of decisionId and externalReference, never the decision itself', async (t) => {
  const self = '11111111-1111-4111-8111-111111111111';
  const other = '22222222-2222-4222-8222-222222222222';
  const cases: [string, Parameters<typeof toRelatedDecisions>[0], string[] | 'returned'][] = [
    ['a decision of the register', [{ decisionId: other, relation: 'extends' }], 'returned'],
    ['an external reference', [{ externalReference: '2023.048225', relation: 'continues' }], 'returned'],
    ['a null beside a value', [{ decisionId: other, externalReference: null, relation: 'relates_to' }], 'returned'],
    ['both', [{ decisionId: other, externalReference: '2023.048225', relation: 'extends' }], ['/relatedDecisions/0']],
    ['neither', [{ relation: 'extends' }], ['/relatedDecisions/0']],
    ['both null', [{ decisionId: null, externalReference: null, relation: 'extends' }], ['/relatedDecisions/0']],
    ['itself', [{ externalReference: 'x', relation: 'extends' }, { decisionId: self, relation: 'extends' }], ['/relatedDecisions/1/decisionId']],
    ['21 items', Array.from({ length: 21 }, () => ({ externalReference: 'x', relation: 'extends' as const })), ['/relatedDecisions']],
  ];
  for (const [what, items, expected] of cases) t.same(problemPaths(() => toRelatedDecisions(items, self)), expected, what);
  t.same(toRelatedDecisions([{ externalReference: '2023.048225', relation: 'continues' }]), [{ decisionId: null, externalReference: '2023.048225', relation: 'continues' }]);
});
