import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI document as the running app serves it (`GET /api/v1/openapi.json`, which is what
 * integrators read), flattened into one record per operation: its method, path template,
 * parameters, request body schema and the response statuses it declares.
 */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  default?: unknown;
  description?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** Path template relative to the server URL, e.g. `/decisions/{id}/votes`. */
  path: string;
  parameters: Parameter[];
  body: JsonSchema | undefined;
  bodyRequired: boolean;
  /** Declared statuses, each with the media types of its content (empty for 204/304). */
  responses: Map<number, string[]>;
}

export interface OpenApiDocument {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export const API_BASE = '/api/v1';

export async function fetchOpenApi(app: FastifyInstance): Promise<OpenApiDocument> {
  const res = await app.inject({ method: 'GET', url: `${API_BASE}/openapi.json` });
  if (res.statusCode !== 200) throw new Error(`GET ${API_BASE}/openapi.json answered ${res.statusCode}`);
  return JSON.parse(res.body) as OpenApiDocument;
}

/** Replaces `$ref`s to `#/components/schemas/...` by the schemas themselves (recursively, cycle-safe). */
export function deref(schema: JsonSchema, doc: OpenApiDocument, seen: Set<string> = new Set()): JsonSchema {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    if (seen.has(name)) return {};
    const target = doc.components?.schemas?.[name];
    if (target === undefined) throw new Error(`unresolvable $ref ${schema.$ref}`);
    return deref(target, doc, new Set([...seen, name]));
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, deref(v, doc, seen)]));
  }
  if (schema.items) out.items = deref(schema.items, doc, seen);
  if (schema.anyOf) out.anyOf = schema.anyOf.map((s) => deref(s, doc, seen));
  if (schema.oneOf) out.oneOf = schema.oneOf.map((s) => deref(s, doc, seen));
  return out;
}

const METHODS = ['get', 'post', 'patch', 'delete', 'put'] as const;

export function operationsOf(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const raw = item[method] as
        | {
            operationId?: string;
            parameters?: Parameter[];
            requestBody?: { required?: boolean; content?: Record<string, { schema: JsonSchema }> };
            responses: Record<string, { content?: Record<string, unknown> }>;
          }
        | undefined;
      if (raw === undefined) continue;
      const bodySchema = raw.requestBody?.content?.['application/json']?.schema;
      operations.push({
        operationId: raw.operationId ?? `${method} ${path}`,
        method: method.toUpperCase() as Operation['method'],
        path,
        parameters: (raw.parameters ?? []).map((p) => ({ ...p, required: p.required === true, schema: deref(p.schema, doc) })),
        body: bodySchema && deref(bodySchema, doc),
        bodyRequired: raw.requestBody?.required === true,
        responses: new Map(
          Object.entries(raw.responses).map(([status, response]) => [Number(status), Object.keys(response.content ?? {})]),
        ),
      });
    }
  }
  return operations;
}

/** `/decisions/{id}/votes` with `{ id: 'x' }` -> `/api/v1/decisions/x/votes` (values inserted as given). */
export function fillPath(template: string, values: Record<string, string>): string {
  return API_BASE + template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name}`);
    return value;
  });
}
