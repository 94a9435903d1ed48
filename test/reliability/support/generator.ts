import fc from 'fast-check';
import type { Rng } from '../../helpers/concurrency.js';
import type { JsonSchema } from './openapi.js';

/**
 * Values from JSON schemas, reproducible from a seed: valid ones (types, formats uuid/date/
 * date-time, enum, pattern via fast-check's `stringMatching`, length and range bounds, anyOf with
 * null) and the hostile material the mutations draw from (wrong types, boundary numbers, huge
 * and exotic strings, impossible dates, SQL and JSON injection).
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Real ids the generator mixes into uuid fields, chosen by the property's name. */
export interface IdPools {
  organisations: readonly string[];
  centreMunicipalities: readonly string[];
  programmes: readonly string[];
  decisions: readonly string[];
}

/** The fixed "today" of the fuzz run (Europe/Amsterdam), and dates around it that make rules pass. */
export const TODAY = '2026-03-01';
const PLAUSIBLE_DATES: Record<string, readonly string[]> = {
  boardMeetingDate: ['2026-01-15', '2026-02-10', '2025-12-11'],
  decidedOn: ['2026-02-10', '2026-02-20', TODAY],
  fulfilledOn: ['2026-02-12', '2026-02-25', TODAY],
  dueDate: ['2026-02-15', '2026-06-30', '2025-10-01'],
  // Payments and settlements of the decisions adopted on the fixed today: only today fits.
  paidOn: [TODAY],
  settledOn: [TODAY],
};

/**
 * Callback URLs that need no DNS lookup: the host the tests allow (WEBHOOK_ALLOWED_HOSTS) and a
 * public documentation address; the refused ones point into private networks or are not http(s).
 */
export const ALLOWED_WEBHOOK_HOST = 'hooks.example.test';
const SAFE_URIS = [`https://${ALLOWED_WEBHOOK_HOST}/eszl`, `https://${ALLOWED_WEBHOOK_HOST}/hooks?x=1`, 'https://203.0.113.10/hook'];
const REFUSED_URIS = [
  'http://127.0.0.1/hook',
  'http://10.0.0.7:8080/hook',
  'http://169.254.169.254/latest/meta-data/',
  'https://[::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://0.0.0.0/',
  'ftp://203.0.113.10/hook',
  'file:///etc/passwd',
  `https://user:secret@${ALLOWED_WEBHOOK_HOST}/hook`,
  'javascript:alert(1)',
];

export const SQL_INJECTIONS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE decisions; --",
  "Robert'); DROP TABLE organisations;--",
  '" OR ""="',
  "1' UNION SELECT key_hash FROM api_keys --",
  "admin'--",
  "'; SELECT pg_sleep(5); --",
  '$1',
  '\\x27',
  "E'\\\\x00'",
  "1; UPDATE decisions SET status='ratified'",
  '%27%20OR%201%3D1',
  "') OR ('a'='a",
];

export const JSON_INJECTIONS = [
  '{"$ne": null}',
  '{"__proto__": {"admin": true}}',
  '"},"status":"ratified","x":{"',
  '\\"},{\\"id\\":1',
  '[]',
  '{}',
  'null',
  'true',
  '{"$gt": ""}',
  '</script><script>alert(1)</script>',
  '${7*7}{{7*7}}',
  '../../../../etc/passwd',
  'constructor',
  '__proto__',
];

export const UNICODE_STRINGS = [
  'Zuid-Limburg ☕ 🇳🇱',
  'Ĳsselmeer ĳs Ÿ',
  'עברית ‏RTL‎ العربية',
  'e\u0301\u0301\u0301 combining',
  'zero\u200bwidth\u200d\ufeff',
  'line\u2028separator\u2029',
  '\ud83d\ude00\ud83d\ude00',
  'lone \ud800 surrogate',
  'lone \udfff low',
  'nul \u0000 byte',
  'tab\tnew\nline\rreturn',
  '１２３４５６７８',
  '١٢٣٤٥٦٧٨',
  '\u202eoverride',
  'ǅǈǋ Ⅻ ﬁ',
  '🏳️‍🌈👩‍👩‍👧‍👦',
  '\u0007\u001b[31mred',
  ' ',
  '  leading and trailing  ',
];

export const INVALID_DATES = [
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2025-02-29',
  '1900-02-29',
  '2026-04-31',
  '0000-00-00',
  '0000-01-01',
  '9999-12-31',
  '0001-01-01',
  '2026-1-5',
  '2026-01-05T00:00:00Z',
  '20260105',
  '',
  ' 2026-01-05',
  '2026-01-05 ',
  '+02026-01-05',
  '-2026-01-05',
  '2026/01/05',
  '05-01-2026',
  'today',
  '2026-01-05\u0000',
  '２０２６-０１-０５',
  '2026-W01',
  'NaN-NaN-NaN',
];

export const INVALID_UUIDS = [
  'not-a-uuid',
  '1',
  '0',
  '-1',
  '',
  'null',
  'undefined',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '{c56a4180-65aa-42ec-a945-5fd21dec0538}',
  'c56a418065aa42eca9455fd21dec0538',
  'c56a4180-65aa-42ec-a945-5fd21dec053',
  'c56a4180-65aa-42ec-a945-5fd21dec05388',
  'g56a4180-65aa-42ec-a945-5fd21dec0538',
  'urn:uuid:c56a4180-65aa-42ec-a945-5fd21dec0538',
  ' c56a4180-65aa-42ec-a945-5fd21dec0538',
  "c56a4180-65aa-42ec-a945-5fd21dec0538' OR '1'='1",
];

/** Numbers at and past the edges: JSON can carry all of these. */
export function boundaryNumbers(schema: JsonSchema): number[] {
  const numbers = [0, -1, 1, -0, 1.5, 0.1, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 63, 1e21, 1e308, -1e308, 5e-324];
  if (schema.minimum !== undefined) numbers.push(schema.minimum, schema.minimum - 1, schema.minimum + 0.5);
  if (schema.maximum !== undefined) numbers.push(schema.maximum, schema.maximum + 1, schema.maximum - 0.5);
  return numbers;
}

export const WRONG_TYPE_VALUES: Json[] = [123, -7, 1.25, true, false, null, 'text', '', '123', 'true', 'null', [], ['a'], [1, 2], {}, { a: 1 }, { $ne: null }];

function typesOf(schema: JsonSchema): string[] {
  if (schema.anyOf) return schema.anyOf.flatMap(typesOf);
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

export function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export class ValueGenerator {
  private readonly patternPools = new Map<string, string[]>();
  private readonly exoticPool: string[];
  private counter = 0;

  constructor(
    readonly rng: Rng,
    private readonly seed: number,
    private readonly ids: IdPools,
  ) {
    // Arbitrary unicode (graphemes and raw code units, lone surrogates included) from fast-check.
    this.exoticPool = [
      ...fc.sample(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }), { seed, numRuns: 40 }),
      ...fc.sample(fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }), { seed: seed + 1, numRuns: 40 }),
    ];
  }

  uuid(): string {
    const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[this.rng.int(0, 15)]).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[this.rng.int(0, 3)]}${hex(3)}-${hex(12)}`;
  }

  /** A unique-ish suffix: references and codes must not collide by accident too often. */
  unique(): string {
    this.counter++;
    return `${this.counter.toString(36).toUpperCase()}${this.rng.int(0, 1295).toString(36).toUpperCase()}`;
  }

  date(from = 2000, to = 2100): string {
    const year = this.rng.int(from, to);
    const month = this.rng.int(1, 12);
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const day = this.rng.int(1, days);
    return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }

  dateTime(): string {
    return `${this.date(2000, 2099)}T${String(this.rng.int(0, 23)).padStart(2, '0')}:${String(this.rng.int(0, 59)).padStart(2, '0')}:00Z`;
  }

  fromPattern(pattern: string, maxLength: number | undefined): string {
    let pool = this.patternPools.get(pattern);
    if (pool === undefined) {
      pool = fc
        .sample(fc.stringMatching(new RegExp(pattern)), { seed: this.seed + this.patternPools.size + 7, numRuns: 200 })
        .filter((s) => maxLength === undefined || s.length <= maxLength);
      if (pool.length === 0) throw new Error(`no sample matches ${pattern}`);
      this.patternPools.set(pattern, pool);
    }
    return this.rng.pick(pool);
  }

  uuidFor(name: string | undefined): string {
    if (this.rng.chance(0.1)) return this.uuid();
    switch (name) {
      case 'programmeId':
        return this.rng.pick(this.ids.programmes);
      case 'municipalityId':
      case 'organisationId':
        return this.rng.pick(this.ids.centreMunicipalities);
      case 'applicantOrganisationId':
      case 'ownerOrganisationId':
        return this.rng.pick(this.ids.organisations);
      case 'decisionId':
        return this.rng.pick(this.ids.decisions);
      case 'resourceId':
        return this.rng.pick([...this.ids.decisions, ...this.ids.organisations, ...this.ids.programmes]);
      default:
        return this.uuid();
    }
  }

  exoticString(): string {
    const source = this.rng.int(0, 3);
    if (source === 0) return this.rng.pick(SQL_INJECTIONS);
    if (source === 1) return this.rng.pick(JSON_INJECTIONS);
    if (source === 2) return this.rng.pick(UNICODE_STRINGS);
    return this.rng.pick(this.exoticPool);
  }

  string(schema: JsonSchema, name: string | undefined): string {
    if (schema.enum) return String(this.rng.pick(schema.enum));
    if (schema.format === 'uuid') return this.uuidFor(name);
    if (schema.format === 'date') {
      const plausible = name === undefined ? undefined : PLAUSIBLE_DATES[name];
      return plausible && this.rng.chance(0.8) ? this.rng.pick(plausible) : this.date();
    }
    if (schema.format === 'date-time') return this.dateTime();
    if (schema.format === 'uri') return this.rng.chance(0.85) ? this.rng.pick(SAFE_URIS) : this.rng.pick(REFUSED_URIS);
    if (schema.pattern !== undefined) return this.fromPattern(schema.pattern, schema.maxLength);
    const min = schema.minLength ?? 0;
    const max = schema.maxLength ?? 64;
    // Valid but hostile text now and then: stored as data, never interpreted.
    if (this.rng.chance(0.2)) {
      const exotic = this.exoticString();
      if (exotic.length >= min && exotic.length <= max && !exotic.includes('\u0000')) return exotic;
    }
    if (this.rng.chance(0.03) && max <= 20_000) return 'x'.repeat(max);
    const base = name === 'reference' || name === 'name' || name === 'title' ? `${name} ${this.unique()}` : 'fuzz';
    const length = this.rng.int(Math.max(min, 1), Math.min(max, 40));
    let text = base;
    while (text.length < length) text += ' abcdefghijklmnopqrstuvwxyz0123456789'[this.rng.int(0, 36)];
    return text.slice(0, Math.max(min, Math.min(max, Math.max(length, 1))));
  }

  integer(schema: JsonSchema): number {
    const min = schema.minimum ?? 0;
    const max = schema.maximum ?? 1_000_000;
    const roll = this.rng.next();
    if (roll < 0.1) return min;
    if (roll < 0.2) return max;
    // Log-uniform over wide ranges, so amounts land both below and above the ratification threshold.
    if (max - min > 1_000_000) {
      const value = Math.round(Math.exp(Math.log(Math.max(min, 1)) + this.rng.next() * (Math.log(max) - Math.log(Math.max(min, 1)))));
      return Math.min(max, Math.max(min, value));
    }
    return this.rng.int(min, max);
  }

  /** A value valid against `schema` (as far as the schema says; business rules may still refuse it). */
  valid(schema: JsonSchema, name?: string, depth = 0): Json {
    if (schema.anyOf || schema.oneOf) {
      const branches = (schema.anyOf ?? schema.oneOf)!;
      const nonNull = branches.filter((b) => b.type !== 'null');
      if (nonNull.length < branches.length && this.rng.chance(0.15)) return null;
      return this.valid(this.rng.pick(nonNull.length > 0 ? nonNull : branches), name, depth);
    }
    if (schema.enum) return this.rng.pick(schema.enum) as Json;
    const type = typesOf(schema)[0];
    switch (type) {
      case 'string':
        return this.string(schema, name);
      case 'integer':
        return this.integer(schema);
      case 'number':
        return this.integer(schema) + (this.rng.chance(0.5) ? 0.5 : 0);
      case 'boolean':
        return this.rng.chance(0.5);
      case 'null':
        return null;
      case 'array': {
        const min = schema.minItems ?? 0;
        const max = Math.min(schema.maxItems ?? 4, Math.max(min, 3));
        const length = this.rng.int(min, max);
        const items = Array.from({ length }, () => this.valid(schema.items ?? {}, singular(name), depth + 1));
        if (!schema.uniqueItems) return items;
        const unique = [...new Map(items.map((item) => [JSON.stringify(item), item])).values()];
        return unique.length >= min ? unique : items;
      }
      case 'object':
        return this.object(schema, depth);
      default:
        return this.rng.pick(['any', 1, true, null] as Json[]);
    }
  }

  object(schema: JsonSchema, depth: number): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    const required = new Set(schema.required ?? []);
    const properties = Object.entries(schema.properties ?? {});
    for (const [key, propertySchema] of properties) {
      if (required.has(key) || this.rng.chance(0.5)) out[key] = this.valid(propertySchema, key, depth + 1);
    }
    const minProperties = schema.minProperties ?? 0;
    for (const [key, propertySchema] of this.rng.shuffle([...properties])) {
      if (Object.keys(out).length >= minProperties) break;
      if (!(key in out)) out[key] = this.valid(propertySchema, key, depth + 1);
    }
    return out;
  }
}

function singular(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (name.endsWith('Ids')) return name.slice(0, -1);
  return undefined;
}
