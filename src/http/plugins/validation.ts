import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import fp from 'fastify-plugin';
import { Ajv, type AnySchema, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import { DomainError } from '../../domain/errors.js';
import { NoQuery } from '../schemas.js';

/**
 * Two Ajv instances, both reporting every problem at once and never silently dropping unknown
 * properties: query strings, path and headers are coerced from text (`limit=10`), bodies are
 * not (`"amountCents": "100"` is an error, not a number).
 */
function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ allErrors: true, removeAdditional: false, useDefaults: true, coerceTypes, strict: false });
  addFormats.default(ajv, { mode: 'full' });
  // `format: int64` on amounts tells generators the width; `type: integer` and the bounds already
  // check the value, so a wrong amount gets one message, not a second for the format.
  ajv.addFormat('int64', true);
  return ajv;
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** NUL, which PostgreSQL text cannot hold, or a lone UTF-16 surrogate, which is not Unicode text at all. */
function containsUnstorableText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value);
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  for (const [key, item] of Object.entries(value)) {
    if (UNSTORABLE.test(key) || containsUnstorableText(item, depth + 1)) return true;
  }
  return false;
}

/**
 * Installed through Fastify's `schemaController.compilersFactory` (not `setValidatorCompiler`),
 * so that it also applies in plugin scopes that add shared schemas.
 */
export function buildValidatorCompiler(): FastifySchemaCompiler<AnySchema> {
  const bodyAjv = makeAjv(false);
  const textAjv = makeAjv('array');
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema);
}

async function validationPlugin(app: FastifyInstance): Promise<void> {
  // An unknown query parameter is invalid input on every API route (400, before any lookup),
  // never silently ignored: a route that declares no query takes none. A route declared later,
  // in any scope, gets this too, so no route can forget it.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    route.schema ??= {};
    route.schema.querystring ??= NoQuery;
  });

  // Refused as invalid input here rather than failing later in the database or the hash chain.
  app.addHook('preValidation', (request, _reply, done) => {
    if (containsUnstorableText(request.body) || containsUnstorableText(request.query) || containsUnstorableText(request.params)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'Text values may not contain the NUL character (U+0000) or unpaired UTF-16 surrogates.',
        [{ path: '/', message: 'contains U+0000 or an unpaired surrogate' }],
      );
    }
    done();
  });
}

export default fp(validationPlugin, { name: 'validation' });
