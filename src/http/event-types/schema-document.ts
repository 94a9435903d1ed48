/**
 * The JSON Schema (2020-12) of one event type's `data`, as `GET /api/v1/event-types/{type}/schema`
 * serves it and a CloudEvent's `dataschema` names it: self-contained, each component it uses
 * (Decision, Vote, ...) copied into `$defs`, so a consumer validates with any JSON Schema
 * library without the OpenAPI document. Pure: the payload schema and the components come in.
 */
type Json = Record<string, unknown>;

export interface EventSchemaInput {
  /** `nl.funding-decisions.<type>`. */
  cloudEventType: string;
  summary: string;
  /** The absolute URL the document is served at: its `$id`. */
  schemaUrl: string;
  /** The type's payload schema (`EVENT_PAYLOAD_SCHEMAS` of src/domain/events.ts), with references by component name. */
  payload: unknown;
  /** The shared components, each with its `$id` (src/http/components.ts). */
  components: readonly unknown[];
}

export function eventDataSchemaDocument(input: EventSchemaInput): Json {
  const byId = new Map<string, Json>();
  for (const component of input.components) {
    const id = (component as Json).$id;
    if (typeof id === 'string') byId.set(id, component as Json);
  }
  const defs = new Map<string, unknown>();
  const pending: string[] = [];
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$id') continue;
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace(/^#\/components\/schemas\//, '');
        if (!byId.has(name)) throw new Error(`the schema of ${input.cloudEventType} refers to ${value}, which is no component`);
        if (!defs.has(name)) {
          defs.set(name, undefined);
          pending.push(name);
        }
        out.$ref = `#/$defs/${name}`;
      } else {
        out[key] = rewrite(value);
      }
    }
    return out;
  };
  const root = rewrite(input.payload) as Json;
  while (pending.length > 0) {
    const name = pending.shift()!;
    defs.set(name, rewrite(byId.get(name)));
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: input.schemaUrl,
    title: `data of ${input.cloudEventType}`,
    description: input.summary,
    ...root,
    ...(defs.size > 0 && { $defs: Object.fromEntries([...defs].sort(([a], [b]) => a.localeCompare(b))) }),
  };
}
