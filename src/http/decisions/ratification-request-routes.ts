import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import { ratificationRequestLetter } from '../../domain/ratification-request-letter.js';
import type { RatificationRequest as RatificationRequestData } from '../../domain/ratification-request.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { etagOf } from '../../use-cases/etag.js';
import { getRatificationRequest } from '../../use-cases/ratification-request.js';
import type { TlogSettings } from '../../use-cases/tlog-settings.js';
import { negotiate } from '../accept.js';
import { etagMatches, sendWithEtag } from '../etag.js';
import { IdParams, IfNoneMatchHeaders, mediaResponse, notModifiedResponse, problems, Ref } from '../schemas.js';
import { letterRenderer } from '../../letters/renderer.js';
import { LetterCache } from './letter-cache.js';
import { RatificationRequest, RatificationRequestQuery } from './ratification-request-schemas.js';

export const ratificationRequestComponents = [RatificationRequest];

const JSON_TYPE = 'application/json';
const PDF = 'application/pdf';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const OFFERS = [JSON_TYPE, PDF, DOCX] as const;
const EXTENSION = { [PDF]: 'pdf', [DOCX]: 'docx' } as const;

/** `verzoek-om-instemming-ESZL-PB-2025-11-19-WTMR-maastricht.pdf`: letters, digits, dots and dashes only. */
function fileName(request: RatificationRequestData, extension: string): string {
  const safe = (text: string) => text.replace(/^gemeente\s+/i, '').replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return `verzoek-om-instemming-${safe(request.reference)}-${safe(request.municipality.name).toLowerCase()}.${extension}`;
}

/**
 * The ratification request of a decision to one college, in the format `Accept` asks for: its
 * data as JSON, or the letter as PDF or DOCX. Every format is a function of the data alone, so
 * the ETag (the hash of the format and the data) says when the bytes changed, and the rendered
 * letters of this instance are kept by it (`LetterCache`).
 */
export async function ratificationRequestRoutes(
  app: FastifyInstance,
  { ctx, tlog, letterThreads }: { ctx: ServiceContext; tlog: TlogSettings; letterThreads: number },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const letters = new LetterCache(64);
  const renderer = letterRenderer(letterThreads);
  app.addHook('onClose', () => renderer.close());

  r.get(
    '/decisions/:id/ratification-request',
    {
      config: {
        access: {
          roles: ACCESS.readRegister,
          municipalityOf: (request) => (request.query as { municipalityId?: unknown } | undefined)?.municipalityId,
        },
      },
      schema: {
        operationId: 'getRatificationRequest',
        summary: "A decision's ratification request to one college: its data, or the letter as PDF or Word",
        description:
          'For a decision that is or was in pending_ratification (else 409 DECISION_NOT_IN_RATIFICATION), to one of the ' +
          'municipalities it requires (else 400 MUNICIPALITY_NOT_REQUIRED); a college key asks for its own (403 for another), ' +
          'and may leave municipalityId out. Accept chooses: application/json (the data), application/pdf (the letter, in ' +
          'Dutch, from the ESZL secretariat to the college of burgemeester en wethouders), or ' +
          `${DOCX} (the same letter as an editable Word document); anything else 406. The same register state gives the same ` +
          "bytes and ETag: the letter's date is the day of the decision's last audit event, and its footer names the decision, " +
          "that event's seq and the first transparency log checkpoint that includes it.",
        tags: ['ratification'],
        params: IdParams,
        querystring: RatificationRequestQuery,
        headers: IfNoneMatchHeaders,
        response: {
          200: mediaResponse(
            'The ratification request',
            {
              [JSON_TYPE]: { schema: Ref(RatificationRequest) },
              [PDF]: { schema: { type: 'string', format: 'binary' } },
              [DOCX]: { schema: { type: 'string', format: 'binary' } },
            },
            'etag',
          ),
          304: notModifiedResponse(),
          ...problems({ raises: ['DECISION_NOT_IN_RATIFICATION', 'MUNICIPALITY_NOT_REQUIRED'] }, 404, 406),
        },
      },
    },
    async (request, reply) => {
      const format = negotiate(request.headers.accept, OFFERS);
      const data = await getRatificationRequest(ctx, tlog, request.principal, request.params.id, request.query.municipalityId);
      reply.header('Vary', 'Accept');
      if (format === JSON_TYPE) return sendWithEtag(request, reply, data);
      const etag = etagOf([format, data]);
      reply.header('ETag', etag);
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag, true)) return reply.code(304).send(null);
      // Rendered off the event loop; pdfmake and docx load with the first letter asked for (a
      // quarter of a second), which a process that never renders one (most of them) need not spend.
      const bytes = await letters.get(etag, () => renderer.render(format === PDF ? 'pdf' : 'docx', ratificationRequestLetter(data)));
      reply.header('Content-Disposition', `inline; filename="${fileName(data, EXTENSION[format])}"`);
      return reply.type(format).send(bytes);
    },
  );
}
