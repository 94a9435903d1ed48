import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/chain.js';
import { DomainError } from '../domain/errors.js';

/**
 * Strong entity tags computed from the canonical JSON of a representation: any change that a
 * client could see (including a vote, a fulfilled condition, or a condition turning overdue)
 * changes the tag, and two instances always compute the same tag.
 */
export function etagOf(representation: unknown): string {
  return `"${createHash('sha256').update(canonicalJson(representation)).digest('base64url')}"`;
}

/**
 * The version a client expects a resource to be at before it changes it. The HTTP edge builds
 * it from an If-Match header (http/etag.ts); a use case asks it about the current version,
 * read under the resource's lock, and knows nothing of headers.
 */
export interface ExpectedVersion {
  matches(etag: string): boolean;
}

/** PRECONDITION_FAILED when the current representation is not at the expected version (no expectation: no check). */
export function assertExpectedVersion(expected: ExpectedVersion | undefined, representation: unknown): void {
  if (expected === undefined) return;
  if (!expected.matches(etagOf(representation))) {
    throw new DomainError('PRECONDITION_FAILED', 'The resource has changed since the ETag in If-Match was read; GET it again.');
  }
}
