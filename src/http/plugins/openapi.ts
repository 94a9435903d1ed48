import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { API_VERSION, NoQuery, Problem, publicProblems } from '../schemas.js';
import { webhooksSection } from '../events/payloads.js';
import { withExamples } from '../openapi-examples.js';

/**
 * The OpenAPI document is generated from the route schemas, never written by hand. Paths are
 * relative to the server URL `/api/v1`, as the NL API Design Rules require; with PUBLIC_BASE_URL
 * the served document names the absolute URL, so tools need no manual base URL (the committed
 * document stays relative).
 */
export const OPENAPI_TAGS = [
  { name: 'api-keys', description: 'API keys and their roles (admin)' },
  { name: 'organisations', description: 'The foundation, municipalities, applicants and other organisations' },
  { name: 'programmes', description: 'Programmes that ESZL funds, and their funding per year' },
  { name: 'decisions', description: 'Principle decisions of the board, their commitments and conditions' },
  { name: 'ratification', description: 'Ratification votes of the colleges of the centre municipalities' },
  { name: 'commitments', description: 'Yearly funding commitments across decisions' },
  { name: 'disbursements', description: 'Payments of committed money (voorschot, betaling)' },
  { name: 'audit', description: 'The hash-chained audit trail and auditor exports' },
  { name: 'college-decisions', description: 'College decisions (collegebesluiten): one municipality ratifying several decisions at once' },
  { name: 'events', description: 'The event feed: published events in seq order, for systems that poll' },
  { name: 'webhooks', description: 'Signed notifications to back-office systems (admin; a college for its own municipality)' },
  { name: 'statute-rules', description: 'The statute\'s threshold, splitting, ratification period and fund check, as versioned data' },
  { name: 'fund', description: 'The ESZL fund: municipal contributions, committed and uncommitted money; co-financing of programmes' },
  { name: 'monitoring', description: 'Monitoring indicators of decisions: targets, reported values, target versus actual' },
  { name: 'open-data', description: 'Public open data: binding decisions (360Giving) and ratification votes (Popolo)' },
];

/** The JSON Schemas of the webhooks section come from TypeBox, which the OpenAPI object types do not know. */
type Webhooks = Extract<NonNullable<FastifyDynamicSwaggerOptions['openapi']>, { webhooks?: unknown }>['webhooks'];

export interface OpenapiOptions {
  publicBaseUrl?: string | undefined;
}

/** Set to true on a route's schema whose body may be left out. */
export const OPTIONAL_BODY = 'x-optional-body';

async function openapiPlugin(app: FastifyInstance, options: OpenapiOptions): Promise<void> {
  app.addSchema(Problem);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ESZL funding decisions and ratification API',
        description:
          'Register of the principle decisions of the board of Stichting Economische Samenwerking Zuid-Limburg ' +
          '(ESZL): yearly funding commitments to programmes, conditions, and the ratification of contributions of ' +
          'EUR 100,000 or more by the colleges of the centre municipalities. Money is in integer euro cents.',
        version: API_VERSION,
        contact: { name: 'ESZL API beheer', email: 'api@eszl.nl', url: 'https://www.eszl.nl' },
        license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
      },
      servers: [{ url: `${options.publicBaseUrl ?? ''}/api/v1`, description: 'This service, version 1' }],
      tags: OPENAPI_TAGS,
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key, sent as the header Authorization: Bearer followed by the key. Keys are created by an admin: ' +
              'POST /api/v1/api-keys (the key is shown once, in the answer), or on the server with ' +
              '`npm run api-key -- create --role <role> --name <name>`. In the Authorize dialog, paste the key alone, without Bearer.',
          },
        },
      },
      security: [{ apiKey: [] }],
      webhooks: webhooksSection() as Webhooks,
    },
    hideUntagged: true,
    // Fastify validates a body whenever a route declares one, so the generator marks every body
    // required; a route that turns no body into an empty one (adopt) says so with this marker.
    // Every operation and webhook body carries an example, derived from its schema (src/http/openapi-examples.ts).
    transformObject: (documentObject) => {
      const document = (documentObject as { openapiObject?: { paths?: Record<string, Record<string, Record<string, unknown>>> } }).openapiObject;
      for (const operations of Object.values(document?.paths ?? {})) {
        for (const operation of Object.values(operations)) {
          if (operation[OPTIONAL_BODY] !== true) continue;
          delete operation[OPTIONAL_BODY];
          (operation.requestBody as { required: boolean }).required = false;
        }
      }
      return withExamples(document as unknown as Record<string, unknown>) as never;
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `Schema${i}`),
    },
  });

  // The page's Content-Security-Policy is the docs policy of src/http/response-headers.ts. The
  // base layout leaves out the top bar (a box to explore other URLs, and a logo whose inline
  // <style> that policy refuses); no validator badge, which would send the document to
  // validator.swagger.io.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true, layout: 'BaseLayout', validatorUrl: null },
  });

  app.get(
    '/api/v1/openapi.json',
    {
      schema: { hide: true, querystring: NoQuery, response: publicProblems(400) },
    },
    async (_request, reply) => reply.type('application/json').send(app.swagger()),
  );
}

export default fp(openapiPlugin, { name: 'openapi' });
