import { DomainError, type FieldError } from './errors.js';
import type { DocumentKind, DocumentRef, RelatedDecision } from './records.js';

/**
 * The legal basis of a decision, vote or condition: the documents it rests on and the earlier
 * decisions it builds on. Auditors need these as data, not as a sentence in a summary.
 */
export const MAX_DOCUMENTS = 20;
export const MAX_RELATED_DECISIONS = 20;

export interface DocumentInput {
  title: string;
  url: string;
  kind: DocumentKind;
  registrationNumber?: string | null | undefined;
  sha256?: string | null | undefined;
  issuedOn?: string | null | undefined;
}

const SHA256 = /^[0-9a-f]{64}$/;

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:' && text.startsWith('https://');
  } catch {
    return false;
  }
}

/** Each problem of a list of documents (`basePath` is where the list sits in the body), all at once. */
export function documentProblems(documents: readonly DocumentInput[], basePath: string): FieldError[] {
  const problems: FieldError[] = [];
  if (documents.length > MAX_DOCUMENTS) problems.push({ path: basePath, message: `must not hold more than ${MAX_DOCUMENTS} documents` });
  documents.forEach((document, i) => {
    if (!isHttpsUrl(document.url)) problems.push({ path: `${basePath}/${i}/url`, message: 'must be an https URL' });
    if (document.sha256 != null && !SHA256.test(document.sha256)) {
      problems.push({ path: `${basePath}/${i}/sha256`, message: 'must be 64 lower-case hexadecimal characters' });
    }
  });
  return problems;
}

/** The documents as the register keeps them: every field present, `null` when not given. */
export function toDocumentRefs(documents: readonly DocumentInput[], basePath = '/documents'): DocumentRef[] {
  const problems = documentProblems(documents, basePath);
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'The documents are not valid.', problems);
  return documents.map((document) => ({
    title: document.title,
    url: document.url,
    kind: document.kind,
    registrationNumber: document.registrationNumber ?? null,
    sha256: document.sha256 ?? null,
    issuedOn: document.issuedOn ?? null,
  }));
}

/** Documents added to a resource that has some already: together at most MAX_DOCUMENTS. */
export function appendDocuments(current: readonly DocumentRef[], added: readonly DocumentInput[]): DocumentRef[] {
  const refs = toDocumentRefs(added);
  if (current.length + refs.length > MAX_DOCUMENTS) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `A resource holds at most ${MAX_DOCUMENTS} documents; it has ${current.length}, and ${refs.length} more were sent.`,
      [{ path: '/documents', message: `at most ${MAX_DOCUMENTS - current.length} more documents fit` }],
    );
  }
  return [...current, ...refs];
}

/** Relations a client may state; `amends` is set by the register itself on amendments. */
export const STATED_RELATIONS = ['continues', 'extends', 'relates_to'] as const;
export type StatedRelation = (typeof STATED_RELATIONS)[number];

export interface RelatedDecisionInput {
  decisionId?: string | null | undefined;
  externalReference?: string | null | undefined;
  relation: StatedRelation;
}

/**
 * Each related decision names exactly one of an earlier decision of this register (`decisionId`)
 * or one outside it (`externalReference`, for example `2023.048225`), and never the decision
 * itself. Whether a named decision exists is for the caller to check (it needs the database).
 */
export function toRelatedDecisions(items: readonly RelatedDecisionInput[], selfId?: string): RelatedDecision[] {
  const problems: FieldError[] = [];
  if (items.length > MAX_RELATED_DECISIONS) {
    problems.push({ path: '/relatedDecisions', message: `must not hold more than ${MAX_RELATED_DECISIONS} items` });
  }
  items.forEach((item, i) => {
    const named = [item.decisionId, item.externalReference].filter((value) => value !== null && value !== undefined).length;
    if (named !== 1) {
      problems.push({ path: `/relatedDecisions/${i}`, message: 'must name exactly one of decisionId and externalReference' });
    } else if (selfId !== undefined && item.decisionId === selfId) {
      problems.push({ path: `/relatedDecisions/${i}/decisionId`, message: 'a decision cannot be related to itself' });
    }
  });
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'The related decisions are not valid.', problems);
  return items.map((item) => ({
    decisionId: item.decisionId ?? null,
    externalReference: item.externalReference ?? null,
    relation: item.relation,
  }));
}
