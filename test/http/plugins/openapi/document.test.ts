import { readFile } from 'node:fs/promises';
import t from 'tap';
import { Validator } from '@seriousme/openapi-schema-validator';
import { generateArtefacts, OPENAPI_PATH } from '../../../../scripts/openapi-document.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../../../src/domain/errors.js';
import { projectFile } from '../../../helpers/project-dir.js';

/**
 * The committed contract must be exactly what the routes produce, a valid OpenAPI 3.1 document,
 * and follow the NL API Design Rules that the Logius linter checks (our own checks of those rules).
 */
type Json = Record<string, any>;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const artefacts = await generateArtefacts();
const generated = artefacts.find((artefact) => artefact.url.href === OPENAPI_PATH.href)!.text;
const doc = JSON.parse(generated) as Json;
const operations: { path: string; method: string; op: Json }[] = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
  Object.entries(item as Json)
    .filter(([method]) => METHODS.includes(method))
    .map(([method, op]) => ({ path, method, op: op as Json })),
);

t.test('the committed openapi/openapi.json and the other generated files equal what the routes produce', async (t) => {
  t.ok(artefacts.length >= 2);
  for (const { url, text } of artefacts) {
    const committed = await readFile(url, 'utf8').catch(() => '');
    t.equal(committed, text, `${url.pathname}: run \`npm run openapi\` and commit the result`);
  }
});

t.test('the document is a valid OpenAPI 3.1 document', async (t) => {
  const result = await new Validator().validate(doc as never);
  t.ok(result.valid, JSON.stringify(result.errors ?? []).slice(0, 2000));
  t.match(doc.openapi, /^3\.1\.\d+$/);
});

t.test('the server URL carries the major version and paths are relative to it', async (t) => {
  t.same(doc.servers.map((s: Json) => s.url), ['/api/v1']);
  for (const path of Object.keys(doc.paths)) t.notOk(path.startsWith('/api/v1'), `${path} is relative to the server`);
  t.ok(operations.length >= 20, `documents every operation (${operations.length})`);
});

t.test('info has a semver version and a contact with name, email and url', async (t) => {
  t.match(doc.info.version, /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/);
  t.type(doc.info.contact.name, 'string');
  t.match(doc.info.contact.email, /@/);
  t.match(doc.info.contact.url, /^https:\/\//);
});

t.test('every operation has an operationId, a summary and tags', async (t) => {
  const ids = new Set<string>();
  for (const { path, method, op } of operations) {
    t.type(op.operationId, 'string', `${method} ${path} operationId`);
    t.notOk(ids.has(op.operationId), `operationId ${op.operationId} is unique`);
    ids.add(op.operationId);
    t.type(op.summary, 'string', `${method} ${path} summary`);
    t.ok(Array.isArray(op.tags) && op.tags.length > 0, `${method} ${path} tags`);
  }
});

t.test('every 2xx and 3xx response declares the API-Version header', async (t) => {
  for (const { path, method, op } of operations) {
    for (const [status, response] of Object.entries(op.responses as Json)) {
      if (/^[23]\d\d$/.test(status)) t.ok((response as Json).headers?.['API-Version'], `${method} ${path} ${status}`);
    }
  }
});

t.test('every 4xx and 5xx response is problem+json with status, title and detail', async (t) => {
  const problem = doc.components.schemas.Problem as Json;
  for (const field of ['status', 'title', 'detail', 'type', 'code']) t.ok(problem.properties[field], `Problem.${field}`);
  for (const { path, method, op } of operations) {
    for (const [status, response] of Object.entries(op.responses as Json)) {
      if (!/^[45]\d\d$/.test(status)) continue;
      const content = (response as Json).content as Json;
      t.same(Object.keys(content), ['application/problem+json'], `${method} ${path} ${status}`);
      t.equal(content['application/problem+json'].schema.allOf[0].$ref, '#/components/schemas/Problem');
    }
  }
});

t.test('every operation that takes input declares a 400 response', async (t) => {
  for (const { path, method, op } of operations) {
    const takesInput = ['post', 'put', 'patch'].includes(method) || (op.parameters?.length ?? 0) > 0;
    if (takesInput) t.ok(op.responses['400'], `${method} ${path}`);
  }
});

// A document served as a file keeps its extension (the contract names /open-data/360giving.json).
t.test('path segments are kebab-case and query keys lowerCamelCase', async (t) => {
  for (const path of Object.keys(doc.paths)) {
    for (const segment of path.split('/').slice(1)) t.match(segment, /^([a-z0-9-]+(\.json)?|\{[A-Za-z]+\})$/, path);
    t.notOk(path.endsWith('/'), `${path} has no trailing slash`);
  }
  for (const { op } of operations) {
    for (const parameter of (op.parameters ?? []) as Json[]) {
      if (parameter.in === 'query') t.match(parameter.name, /^[a-z][a-z\d]*([A-Z][a-z\d]*)*$/);
    }
  }
});

t.test('every property named ...Date or ...On is a date (or an object of dates), every ...At a date-time', async (t) => {
  let checked = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const properties = (node as Json).properties as Json | undefined;
    for (const [name, schema] of Object.entries(properties ?? {})) {
      const formats = [schema.format, ...((schema.anyOf ?? []) as Json[]).map((s) => s.format)].filter(Boolean);
      // An object named so (a history item's happenedOn) groups dates; it is no date itself.
      if (/Date$|On$/.test(name) && schema.type !== 'object') {
        checked++;
        t.same([...new Set(formats)], ['date'], `${name} has format date`);
      }
      if (/At$/.test(name)) t.same([...new Set(formats)], ['date-time'], `${name} has format date-time`);
    }
    Object.values(node).forEach(visit);
  };
  visit(doc);
  t.ok(checked >= 5, `checked ${checked} date properties`);
});

/** operation -> status -> the codes its problem response lists. */
function listedCodes(op: Json): Map<number, string[]> {
  const result = new Map<number, string[]>();
  for (const [status, response] of Object.entries(op.responses as Json)) {
    if (!/^[45]\d\d$/.test(status)) continue;
    result.set(Number(status), (response as Json).content['application/problem+json'].schema.allOf[1].properties.code['x-extensible-enum'] as string[]);
  }
  return result;
}

const catalogue = Object.entries(ERROR_CATALOGUE) as [ErrorCode, (typeof ERROR_CATALOGUE)[ErrorCode]][];

t.test('every problem response lists its codes, each a catalogue code with that status', async (t) => {
  for (const { path, method, op } of operations) {
    for (const [status, codes] of listedCodes(op)) {
      t.ok(codes.length > 0, `${method} ${path} ${status} lists codes`);
      for (const code of codes) {
        t.equal(ERROR_CATALOGUE[code as ErrorCode]?.status, status, `${method} ${path} ${status}: ${code} has status ${status}`);
      }
    }
  }
  t.same(doc.components.schemas.Problem.properties.code['x-extensible-enum'], Object.keys(ERROR_CATALOGUE), 'Problem.code lists the whole catalogue');
  t.equal(doc.components.schemas.Problem.properties.code.type, 'string', 'Problem.code is an open string');
  t.notOk('enum' in doc.components.schemas.Problem.properties.code, 'no closed enum: a later code does not break a generated client');
});

t.test('the pipeline codes are listed on every operation that declares their status', async (t) => {
  for (const { path, method, op } of operations) {
    for (const [status, codes] of listedCodes(op)) {
      for (const [code, entry] of catalogue) {
        if (entry.scope === 'request' && entry.status === status) t.ok(codes.includes(code), `${method} ${path} ${status} lists ${code}`);
      }
    }
  }
});

t.test('the idempotency codes are listed exactly on the operations that take an Idempotency-Key', async (t) => {
  const idempotencyCodes = catalogue.filter(([, entry]) => entry.scope === 'idempotency').map(([code]) => code);
  t.ok(idempotencyCodes.length >= 3);
  for (const { path, method, op } of operations) {
    const takesKey = ((op.parameters ?? []) as Json[]).some((p) => p.in === 'header' && String(p.name).toLowerCase() === 'idempotency-key');
    const listed = [...listedCodes(op).values()].flat();
    for (const code of idempotencyCodes) t.equal(listed.includes(code), takesKey, `${method} ${path} ${takesKey ? 'lists' : 'does not list'} ${code}`);
  }
});

t.test('every domain code is listed by at least one operation, so no code can be raised undocumented', async (t) => {
  // Which operation answers which code is checked by every test that builds the app (test/helpers/app.ts).
  const listed = new Set(operations.flatMap(({ op }) => [...listedCodes(op).values()].flat()));
  for (const [code, entry] of catalogue) {
    if (entry.scope !== 'request') t.ok(listed.has(code), `${code} is listed by some operation`);
  }
});

t.test('every code raised in src/ is a catalogue code that the document lists', async (t) => {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir(projectFile('src'), { recursive: true })).filter((f) => f.endsWith('.ts'));
  const used = new Set<string>();
  for (const file of files) {
    if (file === 'domain/errors.ts') continue;
    const text = await readFile(projectFile(`src/${file}`), 'utf8');
    for (const match of text.matchAll(/(?:DomainError|problemBody)\(\s*'([A-Z_]+)'/g)) used.add(match[1]!);
  }
  t.ok(used.size >= 15, `found ${used.size} codes raised in src/`);
  const listed = new Set(operations.flatMap(({ op }) => [...listedCodes(op).values()].flat()));
  for (const code of used) {
    t.ok(code in ERROR_CATALOGUE, `${code} is in the catalogue`);
    t.ok(listed.has(code), `${code} is listed by some operation`);
  }
});
