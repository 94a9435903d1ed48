/**
 * The OpenAPI 3.0.3 rendition of the service's 3.1 document, for the generators that read 3.0
 * only (most of them, in Java and C#): the same paths, operations and schemas, said the 3.0 way.
 * - `type: [T, "null"]` and `anyOf: [X, { type: "null" }]` become `nullable: true` (a nullable
 *   reference: `allOf: [X]` beside it, since 3.0 ignores what stands beside a `$ref`, with X's
 *   `type`, since 3.0 allows no `nullable` without one; a nullable
 *   enumeration lists `null` among its values, as 3.0.3 asks);
 * - `const: v` becomes `enum: [v]`; numeric `exclusiveMinimum`/`exclusiveMaximum` become the
 *   boolean form beside `minimum`/`maximum`; `examples` in a schema becomes `example`;
 * - the `webhooks` section becomes `x-webhooks`; `info.license.identifier` (3.1 only) goes, its
 *   licence URL stays.
 * Pure: a document in, a document out.
 */
type Json = Record<string, unknown>;

const SCHEMA_CONTAINERS = new Set(['schema', 'items', 'additionalProperties', 'not']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAPS = new Set(['properties']);

const LICENSE_URLS: Record<string, string> = { 'EUPL-1.2': 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12' };

export function toOpenapi30(document: Json): Json {
  const { webhooks, info, jsonSchemaDialect: _dialect, ...rest } = document;
  const components = ((document.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const typeOf: RefType = (ref) => components[ref.replace('#/components/schemas/', '')]?.type;
  const walk = walker(typeOf);
  const converted = walk(rest) as Json;
  const license = (info as Json | undefined)?.license as Json | undefined;
  const { identifier, ...license30 } = license ?? {};
  const url = license30.url ?? (typeof identifier === 'string' ? LICENSE_URLS[identifier] : undefined);
  return {
    openapi: '3.0.3',
    info: { ...(info as Json), ...(license && { license: { ...license30, ...(url !== undefined && { url }) } }) },
    ...Object.fromEntries(Object.entries(converted).filter(([key]) => key !== 'openapi')),
    ...(webhooks !== undefined && { 'x-webhooks': walk(webhooks) }),
  };
}

/** The `type` of the component a `$ref` names (a nullable reference states it: 3.0 allows no `nullable` without a type). */
type RefType = (ref: string) => unknown;

/** Walks the document; every value in a schema position is converted as a schema. */
function walker(typeOf: RefType): (node: unknown) => unknown {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'schema' || key === 'schemas' ? schemaPosition(key, value, typeOf) : walk(value)]));
  };
  return walk;
}

function schemaPosition(key: string, value: unknown, typeOf: RefType): unknown {
  if (key === 'schemas') return Object.fromEntries(Object.entries(value as Json).map(([name, schema]) => [name, convertSchema(schema, typeOf)]));
  return convertSchema(value, typeOf);
}

function convertSchema(input: unknown, typeOf: RefType): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  let schema: Json = {};
  for (const [key, value] of Object.entries(input as Json)) {
    if (key === '$id' || key === '$schema') continue;
    if (SCHEMA_CONTAINERS.has(key) && typeof value === 'object') schema[key] = convertSchema(value, typeOf);
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) schema[key] = value.map((member) => convertSchema(member, typeOf));
    else if (SCHEMA_MAPS.has(key)) schema[key] = Object.fromEntries(Object.entries(value as Json).map(([name, s]) => [name, convertSchema(s, typeOf)]));
    else schema[key] = value;
  }
  if ('const' in schema) {
    const { const: value, ...others } = schema;
    schema = { ...others, enum: [value] };
  }
  for (const [exclusive, inclusive] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof schema[exclusive] === 'number') schema = { ...schema, [inclusive]: schema[exclusive], [exclusive]: true };
  }
  if (Array.isArray(schema.examples)) {
    const { examples, ...others } = schema;
    schema = { ...others, ...(examples.length > 0 && { example: examples[0] }) };
  }
  if (Array.isArray(schema.type)) schema = fromTypeList(schema);
  if (Array.isArray(schema.anyOf)) schema = fromNullUnion(schema, typeOf);
  return schema;
}

function isNullSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as Json).type === 'null' && Object.keys(schema).every((key) => key === 'type' || key === 'description');
}

function withNull(schema: Json): Json {
  const nullable: Json = { ...schema, nullable: true };
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) nullable.enum = [...schema.enum, null];
  return nullable;
}

/** `type: [T, "null"]` -> `type: T, nullable: true`; a list of several types has no 3.0 form but `anyOf`. */
function fromTypeList(schema: Json): Json {
  const types = (schema.type as string[]).filter((type) => type !== 'null');
  const nullable = types.length < (schema.type as string[]).length;
  const { type: _type, ...others } = schema;
  if (types.length === 1) return nullable ? withNull({ ...others, type: types[0] }) : { ...others, type: types[0] };
  return { anyOf: types.map((type) => ({ type })), ...(nullable && { nullable: true }), ...others };
}

/** `anyOf: [X, { type: "null" }]` -> X with `nullable: true` (beside `allOf: [X]` when X is a reference). */
function fromNullUnion(schema: Json, typeOf: RefType): Json {
  const members = schema.anyOf as unknown[];
  const others = members.filter((member) => !isNullSchema(member));
  if (others.length === members.length) return schema;
  const { anyOf: _anyOf, ...rest } = schema;
  if (others.length !== 1) return { ...rest, anyOf: others, nullable: true };
  const only = others[0] as Json;
  if ('$ref' in only) {
    const type = typeOf(String(only.$ref));
    return { ...(typeof type === 'string' && { type }), ...rest, allOf: [only], nullable: true };
  }
  return withNull({ ...only, ...rest });
}
