import type { FastifyReply, FastifyRequest } from 'fastify';
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
