import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../use-cases/context.js';
import { requireServedCheckpoint, tileContent } from '../../use-cases/tlog-reads.js';
import type { TlogSettings } from '../../use-cases/tlog-settings.js';

/**
 * The log's static resources of C2SP tlog-tiles under the prefix `/tlog`, without authentication:
 * `/tlog/checkpoint`, `/tlog/tile/<L>/<N>[.p/<W>]` and `/tlog/tile/entries/<N>[.p/<W>]`, for
 * standard tile clients and monitors. Outside the OpenAPI document, whose server is `/api/v1`:
 * their paths are the spec's (an index such as `x001/x234/067` spans path segments, which an
 * OpenAPI path template cannot express), and every 404 is what tile clients expect.
 */
const FOREVER = 'public, max-age=31536000, immutable';
// A partial tile of a width never changes either, but it is only fetched while it is the edge.
const AN_HOUR = 'public, max-age=3600';

export async function tlogTileRoutes(app: FastifyInstance, { ctx, settings }: { ctx: ServiceContext; settings: TlogSettings }): Promise<void> {
  app.get('/tlog/checkpoint', { schema: { hide: true } }, async (_request, reply) => {
    const served = await requireServedCheckpoint(ctx, settings);
    // Mutable: the plugin's `Cache-Control: no-store` stays, as the spec wants no caching beyond seconds.
    return reply.type('text/plain; charset=utf-8').send(served.note);
  });

  app.get<{ Params: { '*': string } }>('/tlog/tile/*', { schema: { hide: true } }, async (request, reply) => {
    const tile = await tileContent(ctx, settings, `tile/${request.params['*']}`);
    return reply.type('application/octet-stream').header('Cache-Control', tile.immutable ? FOREVER : AN_HOUR).send(tile.bytes);
  });
}
