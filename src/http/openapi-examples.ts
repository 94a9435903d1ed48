/**
 * An example for every operation's request body and success response and for every webhook
 * body of the OpenAPI document, derived from the schema it illustrates (the component it names,
 * the formats, enumerations and bounds of each field), so it never disagrees with the contract
 * it documents. An example written by hand on a media type stays as it is. Pure: a document in,
 * a document out.
 */
type Json = Record<string, unknown>;

const SAMPLE_ID = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const FORMAT_SAMPLES: Record<string, unknown> = {
  uuid: SAMPLE_ID,
  date: '2026-01-20',
  'date-time': '2026-01-20T10:00:00.000Z',
  uri: 'https://besluiten.eszl.nl/api/v1/decisions/3fa85f64-5717-4562-b3fc-2c963f66afa6',
  email: 'api@eszl.nl',
};
/** Values of the patterns the schemas use, where a name or a format does not give one. */
const PATTERN_SAMPLES: Record<string, string> = {
  '^[0-9a-f]{64}$': 'a3f1c2e4b5d6978812ab34cd56ef7890a3f1c2e4b5d6978812ab34cd56ef7890',
  '^[0-9]{8}$': '14090089',
  '^(20[0-9]{2}|2100)(-Q[1-4]|-(0[1-9]|1[0-2]))?$': '2026-Q1',
};
/** Fields whose name says more than their type. */
const NAMED_SAMPLES: Record<string, unknown> = {
  reference: 'ESZL-2026-007',
  title: 'Bijdrage Welcome to Maastricht Region 2026-2027',
  name: 'Gemeente Heerlen',
  code: 'WTMR',
  callbackUrl: 'https://backoffice.gemeente.example/eszl',
  currency: 'EUR',
};

export function withExamples(document: Json): Json {
  const schemas = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, unknown>;
  const example = (schema: unknown) => sample(schema, schemas, 0, undefined);
  const paths = mapOperations((document.paths ?? {}) as Json, example);
  const webhooks = document.webhooks === undefined ? undefined : mapOperations(document.webhooks as Json, example);
  return { ...document, paths, ...(webhooks !== undefined && { webhooks }) };
}

function mapOperations(paths: Json, example: (schema: unknown) => unknown): Json {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item as Json).map(([method, operation]) => {
          if (typeof operation !== 'object' || operation === null || Array.isArray(operation)) return [method, operation];
          const op = operation as Json;
          const requestBody = op.requestBody as Json | undefined;
          const responses = op.responses as Record<string, Json> | undefined;
          return [
            method,
            {
              ...op,
              ...(requestBody !== undefined && { requestBody: { ...requestBody, content: withContentExamples(requestBody.content, example) } }),
              ...(responses !== undefined && {
                responses: Object.fromEntries(
                  Object.entries(responses).map(([status, response]) => [
                    status,
                    /^2/.test(status) && response.content !== undefined ? { ...response, content: withContentExamples(response.content, example) } : response,
                  ]),
                ),
              }),
            },
          ];
        }),
      ),
    ]),
  );
}

function withContentExamples(content: unknown, example: (schema: unknown) => unknown): unknown {
  if (typeof content !== 'object' || content === null) return content;
  return Object.fromEntries(
    Object.entries(content as Record<string, Json>).map(([mediaType, media]) => {
      if ('example' in media || 'examples' in media || media.schema === undefined) return [mediaType, media];
      // Text and binary media (PDF, CSV, a note) have no JSON example.
      if (!/json/.test(mediaType)) return [mediaType, media];
      return [mediaType, { ...media, example: example(media.schema) }];
    }),
  );
}

/** A value the schema accepts, as far as a sample can: the first branch, the first enumeration value, the lower bound. */
export function sample(schema: unknown, components: Record<string, unknown>, depth: number, name: string | undefined): unknown {
  if (typeof schema !== 'object' || schema === null) return null;
  const s = schema as Json;
  if (depth > 30) return null;
  if ('example' in s) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if ('const' in s) return s.const;
  if (typeof s.$ref === 'string') {
    const target = s.$ref.replace(/^#\/components\/schemas\//, '');
    return sample(components[target], components, depth + 1, name);
  }
  if (Array.isArray(s.enum)) return s.enum.find((value) => value !== null) ?? null;
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((part) => sample(part, components, depth + 1, name));
    if (parts.every((part) => typeof part === 'object' && part !== null && !Array.isArray(part))) return Object.assign({}, ...parts);
    return parts.find((part) => part !== null) ?? null;
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const branches = s[key];
    if (Array.isArray(branches)) {
      const branch = branches.find((b) => (b as Json).type !== 'null') ?? branches[0];
      return sample(branch, components, depth + 1, name);
    }
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sample(value, components, depth + 1, key)]));
    }
    case 'array': {
      const item = sample(s.items, components, depth + 1, undefined);
      return Array.from({ length: Math.max(1, Number(s.minItems ?? 1)) }, () => item);
    }
    case 'integer':
    case 'number': {
      const minimum = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : undefined;
      const maximum = typeof s.maximum === 'number' ? s.maximum : undefined;
      const wanted = /Cents$/.test(name ?? '') ? 14_000_000 : /^(year)$/.test(name ?? '') ? 2026 : 1;
      return Math.min(maximum ?? Number.MAX_SAFE_INTEGER, Math.max(minimum ?? wanted, wanted));
    }
    case 'boolean':
      return false;
    case 'string': {
      if (typeof s.format === 'string' && s.format in FORMAT_SAMPLES) return FORMAT_SAMPLES[s.format];
      if (typeof s.pattern === 'string' && s.pattern in PATTERN_SAMPLES) return PATTERN_SAMPLES[s.pattern];
      const named = name === undefined ? undefined : NAMED_SAMPLES[name];
      const text = typeof named === 'string' ? named : (name ?? 'text');
      const maxLength = typeof s.maxLength === 'number' ? s.maxLength : undefined;
      const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
      return text.padEnd(minLength, 'x').slice(0, maxLength);
    }
    default:
      return typeof s.properties === 'object' ? sample({ ...s, type: 'object' }, components, depth, name) : {};
  }
}
