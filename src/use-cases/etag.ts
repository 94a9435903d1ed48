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

/** RFC 9110 list of entity tags; weak tags never match in the strong comparison If-Match needs. */
export function etagMatches(header: string, etag: string, weak = false): boolean {
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    if (tag === '*') return true;
    if (tag.startsWith('W/')) return weak && tag.slice(2) === etag;
    return tag === etag;
  });
}

export function assertIfMatch(ifMatch: string | undefined, representation: unknown): void {
  if (ifMatch === undefined) return;
  if (!etagMatches(ifMatch, etagOf(representation))) {
    throw new DomainError('PRECONDITION_FAILED', 'The resource has changed since the ETag in If-Match was read; GET it again.');
  }
}
