import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import { describeEventTypes } from '../../domain/cloudevents.js';
import { notFound } from '../../domain/errors.js';
import { EVENT_PAYLOAD_SCHEMAS } from '../events/payloads.js';
import { jsonResponse, mediaResponse, NoQuery, problems, publicProblems, Ref } from '../schemas.js';
import { eventDataSchemaDocument } from './schema-document.js';
import { EventDataSchema, EventTypeList } from './schemas.js';

/**
 * The event types a consumer may meet (the NL GOV profile for CloudEvents asks producers to
 * publish what each type means) and the JSON Schema of each type's data, which a CloudEvent's
 * `dataschema` names. Both are fixed for a release: built once, at registration.
 */
export async function eventTypeRoutes(app: FastifyInstance, { baseUrl, components }: { baseUrl: string; components: readonly TSchema[] }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const descriptions = describeEventTypes(baseUrl);
  const documents = new Map(
    descriptions.map(({ type, cloudEventType, summary, schemaUrl }) => [
      type as string,
      JSON.stringify(eventDataSchemaDocument({ cloudEventType, summary, schemaUrl, payload: EVENT_PAYLOAD_SCHEMAS[type], components })),
    ]),
  );

  r.get(
    '/event-types',
    {
      config: { access: { roles: ACCESS.anyKey } },
      schema: {
        operationId: 'listEventTypes',
        summary: 'Every event type: its CloudEvents type, what it means, whether subscribers receive it, and the schema of its data',
        tags: ['events'],
        querystring: NoQuery,
        response: { 200: jsonResponse(Ref(EventTypeList), 'The event types of the catalogue'), ...problems({ raises: [] }) },
      },
    },
    async () => ({ items: descriptions }),
  );

  r.get(
    '/event-types/:type/schema',
    {
      schema: {
        operationId: 'getEventTypeSchema',
        summary: "The JSON Schema (2020-12) of an event type's data, as a CloudEvent's dataschema names it (no API key needed)",
        tags: ['events'],
        security: [],
        params: Type.Object({ type: Type.String({ minLength: 1, maxLength: 100, description: 'An event type of the catalogue, e.g. vote.cast' }) }, { additionalProperties: false }),
        querystring: NoQuery,
        response: {
          200: mediaResponse('The schema, self-contained', { 'application/schema+json': { schema: Ref(EventDataSchema) } }),
          ...publicProblems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const document = documents.get(request.params.type);
      if (document === undefined) throw notFound('Event type', request.params.type);
      return reply.type('application/schema+json').send(document);
    },
  );
}
