import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RenderedView } from '../use-cases/decision-view-cache.js';
import { etagMatches, etagOf } from '../use-cases/etag.js';

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
  return { body: serialise(representation), etag: etagOf(representation) };
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
