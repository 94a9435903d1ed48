import type { Rng } from '../../helpers/concurrency.js';
import {
  boundaryNumbers,
  INVALID_DATES,
  INVALID_UUIDS,
  JSON_INJECTIONS,
  jsonType,
  SQL_INJECTIONS,
  UNICODE_STRINGS,
  WRONG_TYPE_VALUES,
  type Json,
  type ValueGenerator,
} from './generator.js';
import { fillPath, type JsonSchema, type Operation, type Parameter } from './openapi.js';

/**
 * Turns an operation of the OpenAPI document into a concrete request: valid from its schemas,
 * or valid and then mutated (body, query, path, headers, authentication). Everything comes from
 * the generator's seeded PRNG, so a seed reproduces the sequence of requests.
 */
export type AuthProfile = 'admin' | 'secretariat' | 'college' | 'auditor' | 'reader' | 'none' | 'revoked' | 'garbage';

export interface FuzzPools {
  /** Real ids per first path segment (`organisations`, `programmes`, `decisions`, `api-keys`). */
  pathIds: Record<string, readonly string[]>;
  /** Real ids of `{id}` for some operations, in place of the first segment's (e.g. binding decisions to pay). */
  pathIdsByOperation: Record<string, readonly string[]>;
  /**
   * Ids of sub-resources per path parameter name, with the id of their parent (`{id}`): e.g.
   * `conditionId` pairs for `/decisions/{id}/conditions/{conditionId}/fulfil`.
   */
  children: Record<string, readonly { parentId: string; id: string }[]>;
  /**
   * Ids of body properties (by name, at any depth) that belong to the resource of the path's
   * `{id}`: e.g. `commitmentId` pairs, so that a payment or settlement names a commitment of the
   * decision it is sent to.
   */
  bodyIds: Record<string, readonly { parentId: string; id: string }[]>;
  /** ETag per URL, from GETs made while setting up. */
  etags: ReadonlyMap<string, string>;
  /**
   * Query values that pass the handler's own checks, per operation and parameter, used half the
   * time (e.g. tree sizes within the latest checkpoint, which a random integer rarely is).
   */
  queryValuesByOperation?: Record<string, Record<string, readonly Json[]>>;
  keys: Record<Exclude<AuthProfile, 'none' | 'garbage'>, string>;
}

export interface FuzzRequest {
  operation: Operation;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
  auth: AuthProfile;
  /** What was done to the valid request; empty for a valid one. */
  mutations: string[];
}

type Path = (string | number)[];

interface Slot {
  path: Path;
  schema: JsonSchema;
  value: Json;
  /** Set when the slot is a property of an object. */
  key?: string;
  required?: boolean;
}

function effective(schema: JsonSchema, value: Json): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!branches) return schema;
  const type = jsonType(value);
  return (
    branches.find((b) => b.type === type || (b.type === 'number' && type === 'integer')) ??
    branches.find((b) => b.type !== 'null') ??
    schema
  );
}

/** Every place in a generated value, with the schema that governs it. */
function slotsOf(value: Json, schema: JsonSchema, path: Path = [], key?: string, required?: boolean): Slot[] {
  const s = effective(schema, value);
  const here: Slot = { path, schema: s, value, ...(key !== undefined && { key }), ...(required !== undefined && { required }) };
  const slots: Slot[] = [here];
  if (Array.isArray(value)) {
    value.forEach((item, i) => slots.push(...slotsOf(item, s.items ?? {}, [...path, i])));
  } else if (value !== null && typeof value === 'object') {
    const req = new Set(s.required ?? []);
    for (const [k, v] of Object.entries(value)) slots.push(...slotsOf(v, s.properties?.[k] ?? {}, [...path, k], k, req.has(k)));
  }
  return slots;
}

function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value === undefined ? null : value;
  const copy = clone(root);
  let node = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = value;
  }
  return copy;
}

const EXTRA_PROPERTIES = [
  'status',
  'id',
  'ratification',
  'totalAmountCents',
  'createdAt',
  'updatedAt',
  'adoptedAt',
  'requiredMunicipalityIds',
  'key',
  'keyHash',
  'role',
  'isAdmin',
  'votes',
  'constructor',
  'prototype',
  '$where',
  '',
  ' ',
  'name ',
  'Name',
  'ünïcödé',
];

const BAD_QUERY_VALUES = [
  'abc',
  '',
  '-1',
  '0',
  '1.5',
  '1e2',
  '1e400',
  '-1e400',
  '99999999999999999999',
  '9223372036854775807',
  '9223372036854775808',
  '2147483648',
  '18446744073709551616',
  'true',
  'NaN',
  'Infinity',
  '0x10',
  ' 5',
  '5 ',
  '[object Object]',
  'null',
];

const EXTRA_QUERY = ['offset', 'sort', 'order', 'status', 'fields', '__proto__', 'constructor', 'limit[]', 'limit[$gt]', 'q', 'cursor', 'include'];

const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/problem+json',
  'application/jsonx',
  'application/octet-stream',
  '*/*',
];

/** encodeURIComponent, except that lone surrogates go out as the UTF-8 bytes Node would send. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

export function invalidCursors(uuid: string): string[] {
  return [
    'garbage',
    '!!!!',
    base64url('not json'),
    base64url('[]'),
    base64url('{}'),
    base64url('null'),
    base64url(JSON.stringify(['2026-01-01T00:00:00.000Z'])),
    base64url(JSON.stringify(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])),
    base64url(JSON.stringify(['not a date', uuid])),
    base64url(JSON.stringify([12345, uuid])),
    base64url(JSON.stringify(['2026-01-01T00:00:00.000Z', uuid, 'extra'])),
    base64url(JSON.stringify(['0000-01-01T00:00:00.000Z', uuid])),
    base64url(JSON.stringify(['-000001-01-01T00:00:00.000Z', uuid])),
    base64url(JSON.stringify(['+275760-09-13T00:00:00.000Z', uuid])),
    base64url(JSON.stringify(['9999-12-31T23:59:59.999Z', uuid])),
    base64url(JSON.stringify(['1970-01-01T00:00:00.000Z', uuid.toUpperCase()])),
    base64url(JSON.stringify(["2026-01-01' OR '1'='1", uuid])),
    base64url('seq:-1'),
    base64url('seq:9999999999999999'),
    base64url('seq:999999999999999'),
    base64url('seq:1e3'),
    base64url('seq:01'),
    base64url(`seq:${'9'.repeat(400)}`),
    'x'.repeat(512),
    'x'.repeat(513),
  ];
}

export class RequestFactory {
  private readonly rng: Rng;
  private readonly idempotencyKeys: string[];

  constructor(
    private readonly gen: ValueGenerator,
    private readonly pools: FuzzPools,
  ) {
    this.rng = gen.rng;
    // A small set, reused across requests: replays (same request) and 422s (different request).
    this.idempotencyKeys = Array.from({ length: 12 }, () => `fuzz-${gen.uuid()}`);
  }

  private authProfile(): AuthProfile {
    const roll = this.rng.next();
    if (roll < 0.8) return 'admin';
    return this.rng.pick<AuthProfile>(['secretariat', 'college', 'auditor', 'reader', 'none', 'revoked', 'garbage']);
  }

  private authorization(profile: AuthProfile): string | undefined {
    if (profile === 'none') return undefined;
    if (profile === 'garbage') {
      return this.rng.pick([
        'Bearer',
        'Bearer ',
        'Bearer not-a-key',
        `Bearer ${'k'.repeat(600)}`,
        `bearer ${this.pools.keys.admin}`,
        `Basic ${base64url('admin:admin')}`,
        `Bearer ${this.pools.keys.admin} extra`,
        `Bearer ${this.pools.keys.admin.toUpperCase()}`,
        `Bearer ' OR '1'='1`,
        'Token abc',
      ]);
    }
    return `Bearer ${this.pools.keys[profile]}`;
  }

  private pathValue(operation: Operation, parameter: Parameter, chosen: Record<string, string>): string {
    const child = operation.parameters.find((p) => p.in === 'path' && p.name !== 'id')?.name;
    if (parameter.name !== 'id') {
      const pairs = this.pools.children[parameter.name] ?? [];
      const own = pairs.find((pair) => pair.parentId === chosen.id);
      if (own && this.rng.chance(0.85)) return own.id;
      return pairs.length > 0 && this.rng.chance(0.5) ? this.rng.pick(pairs).id : this.gen.uuid();
    }
    const pairs = child === undefined ? [] : (this.pools.children[child] ?? []);
    if (pairs.length > 0 && this.rng.chance(0.8)) return this.rng.pick(pairs).parentId;
    const segment = operation.path.split('/')[1] ?? '';
    const ids = this.pools.pathIdsByOperation[operation.operationId] ?? this.pools.pathIds[segment] ?? [];
    if (ids.length > 0 && this.rng.chance(0.8)) return this.rng.pick(ids);
    return this.gen.uuid();
  }

  private queryValue(parameter: Parameter, operation?: Operation): Json {
    if (parameter.name === 'cursor') return this.rng.pick(invalidCursors(this.gen.uuid()).slice(0, 3));
    const known = operation === undefined ? undefined : this.pools.queryValuesByOperation?.[operation.operationId]?.[parameter.name];
    if (known !== undefined && known.length > 0 && this.rng.chance(0.5)) return this.rng.pick(known);
    return this.gen.valid(parameter.schema, parameter.name);
  }

  build(operation: Operation): FuzzRequest {
    const mutations: string[] = [];
    const auth = this.authProfile();
    const pathValues: Record<string, string> = {};
    for (const p of operation.parameters.filter((p) => p.in === 'path')) pathValues[p.name] = this.pathValue(operation, p, pathValues);
    const query: [string, string][] = [];
    for (const p of operation.parameters.filter((p) => p.in === 'query')) {
      // Cursors are only valid from a previous page, so a fresh request leaves them out.
      if ((p.required || this.rng.chance(0.4)) && p.name !== 'cursor') query.push([p.name, String(this.queryValue(p, operation))]);
    }
    const headers: Record<string, string> = {};
    const authorization = this.authorization(auth);
    if (authorization !== undefined) headers.authorization = authorization;
    const headerParams = new Set(operation.parameters.filter((p) => p.in === 'header').map((p) => p.name));
    if (headerParams.has('idempotency-key') && this.rng.chance(0.25)) headers['idempotency-key'] = this.rng.pick(this.idempotencyKeys);
    if (headerParams.has('if-none-match') || headerParams.has('if-match')) {
      const url = fillPath(operation.path.replace(/\/(adopt|withdraw)$/, ''), pathValues);
      const etag = this.pools.etags.get(url);
      if (etag !== undefined && this.rng.chance(0.3)) headers[headerParams.has('if-none-match') ? 'if-none-match' : 'if-match'] = etag;
    }
    let body: Json | undefined = operation.body ? this.ownedIds(this.gen.valid(operation.body), pathValues.id) : undefined;
    let payload: string | undefined;
    let contentType: string | undefined = operation.body ? 'application/json' : undefined;
    let rawPayload: string | undefined;
    let rawPath: Record<string, string> = {};

    if (this.rng.chance(0.65)) {
      const kinds: string[] = [];
      if (operation.body) kinds.push('body', 'body', 'body', 'body', 'raw-body', 'content-type');
      else if (operation.method === 'POST' || operation.method === 'DELETE') kinds.push('unexpected-body');
      if (operation.parameters.some((p) => p.in === 'query')) kinds.push('query', 'query', 'query');
      kinds.push('extra-query');
      if (Object.keys(pathValues).length > 0) kinds.push('path', 'path');
      kinds.push('header');
      const count = this.rng.int(1, 2);
      for (let i = 0; i < count; i++) {
        const kind = this.rng.pick(kinds);
        switch (kind) {
          case 'body': {
            const result = this.mutateBody(body ?? null, operation.body!);
            body = result.body;
            mutations.push(result.label);
            break;
          }
          case 'raw-body': {
            const result = this.rawBody(body ?? null);
            rawPayload = result.payload;
            mutations.push(result.label);
            break;
          }
          case 'content-type':
            contentType = this.rng.chance(0.1) ? undefined : this.rng.pick(CONTENT_TYPES);
            mutations.push(`content-type:${contentType ?? 'none'}`);
            break;
          case 'unexpected-body': {
            contentType = this.rng.pick(['application/json', 'application/json', 'text/plain', 'application/xml']);
            rawPayload = contentType === 'application/json' ? JSON.stringify({ status: 'ratified', id: this.gen.uuid() }) : '<x/>';
            mutations.push(`unexpected-body:${contentType}`);
            break;
          }
          case 'query':
            mutations.push(this.mutateQuery(operation, query));
            break;
          case 'extra-query': {
            const name = this.rng.pick(EXTRA_QUERY);
            query.push([name, this.rng.pick(['1', 'x', "' OR 1=1 --", '', '-1'])]);
            mutations.push(`extra-query:${name}`);
            break;
          }
          case 'path': {
            const names = Object.keys(pathValues);
            const name = this.rng.pick(names);
            const result = this.mutatePath(pathValues[name]!);
            if (result.raw) rawPath = { ...rawPath, [name]: result.value };
            pathValues[name] = result.value;
            mutations.push(`path:${result.label}`);
            break;
          }
          case 'header':
            mutations.push(this.mutateHeaders(headers, headerParams));
            break;
        }
      }
    }

    if (rawPayload !== undefined) payload = rawPayload;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && contentType !== undefined) headers['content-type'] = contentType;
    const encoded: Record<string, string> = {};
    for (const [name, value] of Object.entries(pathValues)) encoded[name] = name in rawPath ? value : encode(value);
    // A valid long poll (the event feed's waitSeconds, up to 30) would hold a fuzz worker, and
    // with it the batch, that long when nothing matches: such waits are cut to 0 s, now and then
    // 1 s. Valid includes what the query coercion reads as a number of seconds ('5 ', '0x10',
    // '1e1', as `Number` does): their digits become zeros, so the odd form is still sent.
    for (const entry of query) {
      const seconds = entry[0] === 'waitSeconds' ? Number(entry[1]) : Number.NaN;
      if (seconds > 1 && seconds <= 30) entry[1] = /^\d+$/.test(entry[1]) && this.rng.chance(0.1) ? '1' : entry[1].replace(/\d/g, '0');
    }
    const search = query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
    const url = fillPath(operation.path, encoded) + (search ? `?${search}` : '');
    return { operation, method: operation.method, url, headers, payload, auth, mutations };
  }

  /** Puts ids of the path's resource into the body properties `bodyIds` names (mostly; not always). */
  private ownedIds(value: Json, parentId: string | undefined): Json {
    if (parentId === undefined) return value;
    if (Array.isArray(value)) return value.map((item) => this.ownedIds(item, parentId));
    if (value === null || typeof value !== 'object') return value;
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) {
      const own = (this.pools.bodyIds[key] ?? []).filter((pair) => pair.parentId === parentId);
      out[key] = typeof item === 'string' && own.length > 0 && this.rng.chance(0.85) ? this.rng.pick(own).id : this.ownedIds(item, parentId);
    }
    return out;
  }

  private mutateBody(body: Json, schema: JsonSchema): { body: Json; label: string } {
    const slots = slotsOf(body, schema);
    const strings = slots.filter((s) => typeof s.value === 'string');
    const numbers = slots.filter((s) => typeof s.value === 'number' || s.schema.type === 'integer');
    const objects = slots.filter((s) => s.value !== null && typeof s.value === 'object' && !Array.isArray(s.value));
    const properties = slots.filter((s) => s.key !== undefined);
    const dates = slots.filter((s) => s.schema.format === 'date' || s.schema.format === 'date-time');
    const uuids = slots.filter((s) => s.schema.format === 'uuid');
    const arrays = slots.filter((s) => Array.isArray(s.value));
    const kind = this.rng.pick([
      'wrong-type',
      'wrong-type',
      'missing',
      'missing',
      'extra',
      'extra',
      'boundary',
      'huge',
      'unicode',
      'invalid-date',
      'injection',
      'invalid-uuid',
      'case-uuid',
      'array-size',
    ]);
    const at = (candidates: Slot[]) => (candidates.length > 0 ? this.rng.pick(candidates) : this.rng.pick(slots));
    const name = (slot: Slot) => `/${slot.path.join('/')}`;
    switch (kind) {
      case 'wrong-type': {
        const slot = at(slots);
        const value = this.rng.pick(WRONG_TYPE_VALUES.filter((v) => jsonType(v) !== jsonType(slot.value)));
        return { body: setAt(body, slot.path, value), label: `wrong-type ${name(slot)}=${JSON.stringify(value)}` };
      }
      case 'missing': {
        const required = properties.filter((s) => s.required);
        const slot = at(required.length > 0 && this.rng.chance(0.8) ? required : properties);
        if (slot.path.length === 0) return { body: {}, label: 'missing everything' };
        return { body: setAt(body, slot.path, undefined), label: `missing ${name(slot)}` };
      }
      case 'extra': {
        const slot = at(objects);
        const key = this.rng.pick(EXTRA_PROPERTIES);
        const value = this.rng.pick<Json>(['ratified', this.gen.uuid(), 0, true, { required: false }, [], null]);
        const target = slot.value !== null && typeof slot.value === 'object' && !Array.isArray(slot.value) ? slot.path : [];
        const base = target.length === 0 && (body === null || typeof body !== 'object' || Array.isArray(body)) ? {} : body;
        return { body: setAt(base, [...target, key], value), label: `extra ${name({ path: [...target, key] } as Slot)}` };
      }
      case 'boundary': {
        const slot = at(numbers);
        const value = this.rng.pick(boundaryNumbers(slot.schema));
        return { body: setAt(body, slot.path, value), label: `boundary ${name(slot)}=${value}` };
      }
      case 'huge': {
        const slot = at(strings);
        const max = slot.schema.maxLength ?? 1000;
        const value = this.rng.pick([
          'x'.repeat(max + 1),
          'é'.repeat(max + 1),
          '😀'.repeat(Math.ceil((max + 1) / 2)),
          'y'.repeat(100_000),
          'z'.repeat(max),
        ]);
        return { body: setAt(body, slot.path, value), label: `huge ${name(slot)} (${value.length})` };
      }
      case 'unicode': {
        const slot = at(strings);
        const value = this.rng.pick(UNICODE_STRINGS);
        return { body: setAt(body, slot.path, value), label: `unicode ${name(slot)}=${JSON.stringify(value)}` };
      }
      case 'invalid-date': {
        const slot = at(dates.length > 0 ? dates : strings);
        const value = this.rng.pick(INVALID_DATES);
        return { body: setAt(body, slot.path, value), label: `invalid-date ${name(slot)}=${JSON.stringify(value)}` };
      }
      case 'injection': {
        const slot = at(strings);
        const value = this.rng.pick([...SQL_INJECTIONS, ...JSON_INJECTIONS]);
        return { body: setAt(body, slot.path, value), label: `injection ${name(slot)}=${JSON.stringify(value)}` };
      }
      case 'invalid-uuid': {
        const slot = at(uuids.length > 0 ? uuids : strings);
        const value = this.rng.pick(INVALID_UUIDS);
        return { body: setAt(body, slot.path, value), label: `invalid-uuid ${name(slot)}=${JSON.stringify(value)}` };
      }
      case 'case-uuid': {
        const slot = at(uuids.length > 0 ? uuids : strings);
        const value = typeof slot.value === 'string' ? slot.value.toUpperCase() : this.gen.uuid().toUpperCase();
        return { body: setAt(body, slot.path, value), label: `case-uuid ${name(slot)}` };
      }
      default: {
        const slot = at(arrays);
        const item = Array.isArray(slot.value) && slot.value.length > 0 ? slot.value[0]! : {};
        const length = this.rng.pick([0, 101, 1000]);
        const value = Array.from({ length }, () => clone(item));
        return { body: setAt(body, slot.path, value), label: `array-size ${name(slot)}=${length}` };
      }
    }
  }

  private rawBody(body: Json): { payload: string; label: string } {
    const valid = JSON.stringify(body);
    const first = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body)[0] : undefined;
    const choice = this.rng.int(0, 17);
    const nest = (depth: number) => `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const options: [string, () => string][] = [
      ['empty', () => ''],
      ['truncated', () => valid.slice(0, Math.max(1, Math.floor(valid.length / 2)))],
      ['null', () => 'null'],
      ['array', () => `[${valid}]`],
      ['string', () => JSON.stringify(valid)],
      ['number', () => '42'],
      ['trailing-comma', () => valid.replace(/}$/, ',}')],
      ['single-quotes', () => valid.replaceAll('"', "'")],
      ['bom', () => `\ufeff${valid}`],
      ['trailing-garbage', () => `${valid} garbage`],
      ['deep-nesting', () => nest(this.rng.pick([100, 5000, 50_000]))],
      ['duplicate-key', () => (first === undefined ? valid : valid.replace(/^{/, `{${JSON.stringify(first)}:"${this.gen.uuid()}",`))],
      ['proto', () => valid.replace(/^{/, '{"__proto__":{"status":"ratified","role":"admin"},')],
      ['constructor', () => valid.replace(/^{/, '{"constructor":{"prototype":{"status":"ratified"}},')],
      ['oversized', () => JSON.stringify({ ...(typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}), pad: 'p'.repeat(1_100_000) })],
      ['many-properties', () => JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`p${i}`, i])))],
      ['comment', () => `/* c */${valid}`],
      ['nan', () => valid.replace(/:(-?\d+)/, ':NaN')],
    ];
    const [label, make] = options[choice % options.length]!;
    return { payload: make(), label: `raw-body:${label}` };
  }

  private mutateQuery(operation: Operation, query: [string, string][]): string {
    const params = operation.parameters.filter((p) => p.in === 'query');
    const parameter = this.rng.pick(params);
    const kinds = ['bad-value', 'bad-value', 'duplicate', 'injection', 'huge', 'unicode', 'cursor', 'case-uuid'];
    if (parameter.schema.type === 'integer') kinds.push('int-boundary', 'int-boundary');
    const kind = this.rng.pick(kinds);
    const without = () => {
      for (let i = query.length - 1; i >= 0; i--) if (query[i]![0] === parameter.name) query.splice(i, 1);
    };
    switch (kind) {
      case 'bad-value': {
        without();
        const value = this.rng.pick(parameter.schema.format === 'uuid' ? [...BAD_QUERY_VALUES, ...INVALID_UUIDS] : BAD_QUERY_VALUES);
        query.push([parameter.name, value]);
        return `query:${parameter.name}=${JSON.stringify(value)}`;
      }
      case 'duplicate': {
        without();
        const a = String(this.queryValue(parameter));
        const b = String(this.queryValue(parameter));
        query.push([parameter.name, a], [parameter.name, b]);
        return `query:duplicate ${parameter.name}`;
      }
      case 'injection': {
        without();
        const value = this.rng.pick([...SQL_INJECTIONS, ...JSON_INJECTIONS]);
        query.push([parameter.name, value]);
        return `query:injection ${parameter.name}=${JSON.stringify(value)}`;
      }
      case 'int-boundary': {
        without();
        const { minimum, maximum } = parameter.schema;
        const value = this.rng.pick([
          ...(minimum === undefined ? [] : [String(minimum - 1), String(minimum)]),
          ...(maximum === undefined ? [] : [String(maximum + 1), String(maximum)]),
          '2147483648',
          '9007199254740993',
          '9223372036854775807',
          '9223372036854775808',
          '99999999999999999999',
          '1e21',
          '-9223372036854775809',
        ]);
        query.push([parameter.name, value]);
        return `query:int-boundary ${parameter.name}=${value}`;
      }
      case 'huge':
        without();
        query.push([parameter.name, 'q'.repeat(this.rng.pick([513, 5000, 60_000]))]);
        return `query:huge ${parameter.name}`;
      case 'unicode': {
        without();
        const value = this.rng.pick(UNICODE_STRINGS);
        query.push([parameter.name, value]);
        return `query:unicode ${parameter.name}=${JSON.stringify(value)}`;
      }
      case 'case-uuid': {
        without();
        const value = (this.pools.pathIds.programmes?.[0] ?? this.gen.uuid()).toUpperCase();
        query.push([parameter.name, value]);
        return `query:case-uuid ${parameter.name}`;
      }
      default: {
        const cursor = this.rng.pick(invalidCursors(this.rng.pick(this.pools.pathIds.organisations ?? [this.gen.uuid()])));
        query.push(['cursor', cursor]);
        return `query:cursor=${JSON.stringify(Buffer.from(cursor, 'base64url').toString('utf8').slice(0, 60))}`;
      }
    }
  }

  private mutatePath(current: string): { value: string; label: string; raw: boolean } {
    const choice = this.rng.int(0, 9);
    switch (choice) {
      case 0:
        return { value: current.toUpperCase(), label: 'upper-case id', raw: false };
      case 1:
        return { value: this.rng.pick(SQL_INJECTIONS), label: 'sql', raw: false };
      case 2:
        return { value: this.rng.pick(UNICODE_STRINGS), label: 'unicode', raw: false };
      case 3:
        return { value: 'a'.repeat(this.rng.pick([37, 199, 201, 500])), label: 'long', raw: false };
      case 4:
        return { value: this.rng.pick(['%zz', '%', '%E0%A4%A', '%ff%fe']), label: 'bad-percent-encoding', raw: true };
      case 5:
        return { value: this.rng.pick(['..', '.', '%2e%2e', '%2F', `${current}%2F..`, `${current}%00`]), label: 'traversal', raw: true };
      case 6:
        return { value: `${current}/`, label: 'trailing-slash', raw: true };
      default:
        return { value: this.rng.pick(INVALID_UUIDS), label: 'invalid-uuid', raw: false };
    }
  }

  private mutateHeaders(headers: Record<string, string>, declared: Set<string>): string {
    const options: [string, () => string][] = [['x-request-id', () => this.rng.pick(['x'.repeat(300), "' OR 1=1", 'ok-id-1', ''])]];
    if (declared.has('idempotency-key')) {
      options.push(['idempotency-key', () => this.rng.pick(['', 'with space', 'k'.repeat(256), 'ключ', '\t', this.rng.pick(this.idempotencyKeys)])]);
    }
    if (declared.has('if-match')) options.push(['if-match', () => this.rng.pick(['"nope"', '*', 'W/"weak"', 'x'.repeat(201), '', '"a", "b"'])]);
    if (declared.has('if-none-match')) options.push(['if-none-match', () => this.rng.pick(['*', '"x"', 'W/"x"', 'x'.repeat(2001), '', ', ,'])]);
    options.push(['accept', () => this.rng.pick(['application/xml', 'text/html', '*/*', 'application/problem+json'])]);
    const [name, value] = this.rng.pick(options);
    headers[name] = value();
    return `header:${name}=${JSON.stringify(headers[name]!.slice(0, 40))}`;
  }
}
