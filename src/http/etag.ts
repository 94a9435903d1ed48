import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RenderedView } from '../use-cases/decision-view-cache.js';
import { etagOf, type ExpectedVersion } from '../use-cases/etag.js';

/**
 * Whether an If-Match or If-None-Match header (an RFC 9110 list of entity tags, or `*`) names
 * `etag`. If-Match compares strongly (a weak tag never matches); If-None-Match weakly (`weak`).
 */
export function etagMatches(header: string, etag: string, weak = false): boolean {
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    if (tag === '*') return true;
    if (tag.startsWith('W/')) return weak && tag.slice(2) === etag;
    return tag === etag;
  });
}

/** The version the request's If-Match expects, for a use case to check under its lock; none without the header. */
export function expectedVersion(request: FastifyRequest): ExpectedVersion | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  return { matches: (etag) => etagMatches(header, etag) };
}

/** Sets the ETag of a single-resource representation; answers 304 to a GET whose If-None-Match still matches. */
export function sendWithEtag<T>(request: FastifyRequest, reply: FastifyReply, representation: T): T | FastifyReply {
  const etag = etagOf(representation);
  reply.header('ETag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if ((request.method === 'GET' || request.method === 'HEAD') && ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag, true)) {
    return reply.code(304).send();
  }
  return representation;
}

/** The representation's JSON rendered by the route's own 200 serialiser (the bytes `send` would write), with its ETag. */
export function renderWithEtag(reply: FastifyReply, representation: unknown): RenderedView {
  const serialise = reply.getSerializationFunction('200', 'application/json') as (value: unknown) => string;
  return { body: Buffer.from(serialise(representation)), etag: etagOf(representation) };
}

/** `sendWithEtag` for a representation already rendered (`renderWithEtag`). */
export function sendRenderedWithEtag(request: FastifyRequest, reply: FastifyReply, view: RenderedView): FastifyReply {
  reply.header('ETag', view.etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if ((request.method === 'GET' || request.method === 'HEAD') && ifNoneMatch !== undefined && etagMatches(ifNoneMatch, view.etag, true)) {
    return reply.code(304).send();
  }
  return reply.type('application/json; charset=utf-8').send(view.body);
}

const ITEMS_OPENING = '{"items":[';
const OPENING = Buffer.from(ITEMS_OPENING);
const COMMA = Buffer.from(',');

/**
 * A page whose items are serialised already (each the bytes of the item's own representation):
 * the route's 200 serialiser writes the page around no items, and the items go in between, so
 * the page is byte for byte what serialising it whole would give.
 */
export function sendRenderedPage(reply: FastifyReply, page: { items: Buffer[]; nextCursor: string | null }): FastifyReply {
  const serialise = reply.getSerializationFunction('200', 'application/json') as (value: unknown) => string;
  const around = serialise({ items: [], nextCursor: page.nextCursor });
  if (!around.startsWith(`${ITEMS_OPENING}]`)) throw new Error(`A page must be serialised with its items first, not as ${around.slice(0, 40)}`);
  const parts: Buffer[] = [OPENING];
  page.items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(item);
  });
  parts.push(Buffer.from(around.slice(ITEMS_OPENING.length)));
  return reply.type('application/json; charset=utf-8').send(Buffer.concat(parts));
}
