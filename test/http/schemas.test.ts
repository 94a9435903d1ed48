import type { FastifySchema } from 'fastify';
import t from 'tap';
import { Type, type TSchema } from 'typebox';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/domain/errors.js';
import { buildValidatorCompiler } from '../../src/http/plugins/validation.js';
import {
  Cents,
  documentedProblemCodes,
  IdempotencyHeaders,
  IdempotentIfMatchHeaders,
  IdParams,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  jsonResponse,
  mediaResponse,
  noContentResponse,
  NoQuery,
  notModifiedResponse,
  OpenCodes,
  Page,
  PageQuery,
  Problem,
  problemCodes,
  problems,
  publicProblems,
} from '../../src/http/schemas.js';

/**
 * The building blocks shared by the route schemas: what each accepts and rejects, checked with
 * the validators the app compiles (bodies as sent, query strings and headers from text), and the
 * documented responses they produce, problem responses with the codes an operation can answer.
 */
const compile = buildValidatorCompiler();

/** A validator of `schema` for one part of a request, as the app compiles it; the value it leaves (defaults applied). */
function validatorOf(schema: TSchema, httpPart: 'body' | 'querystring' | 'headers' | 'params' = 'body') {
  const validate = compile({ schema, httpPart, method: 'POST', url: '/test' }) as (data: unknown) => boolean;
  return (data: unknown): boolean => validate(data) === true;
}

const UUID = '0c8e6c2e-1111-4222-8333-944445555666';

t.test('Cents: integer euro cents from 1 up to EUR 10 billion, never text', async (t) => {
  const valid = validatorOf(Type.Object({ amountCents: Cents }));
  for (const amount of [1, 14_000_000, 1_000_000_000_000]) t.equal(valid({ amountCents: amount }), true, `${amount}`);
  for (const amount of [0, -1, 1_000_000_000_001, 1.5, '100', null]) t.equal(valid({ amountCents: amount }), false, `${JSON.stringify(amount)}`);
  t.equal((Cents as { format?: string }).format, 'int64', 'documented as a 64-bit integer');
});

t.test('IdParams: one UUID, nothing else', async (t) => {
  const valid = validatorOf(IdParams, 'params');
  t.equal(valid({ id: UUID }), true);
  t.equal(valid({ id: UUID.toUpperCase() }), true, 'in upper case too');
  for (const id of ['not-a-uuid', `${UUID}0`, UUID.replaceAll('-', ''), '']) t.equal(valid({ id }), false, JSON.stringify(id));
  t.equal(valid({ id: UUID, other: 'x' }), false, 'an unknown parameter');
  t.equal(valid({}), false, 'no id');
});

t.test('NoQuery: any query parameter is unknown', async (t) => {
  const valid = validatorOf(NoQuery, 'querystring');
  t.equal(valid({}), true);
  t.equal(valid({ limit: '10' }), false);
});

t.test('PageQuery: limit 1..200, 50 when absent, read from text; cursor 1..512 characters', async (t) => {
  const schema = Type.Object(PageQuery, { additionalProperties: false });
  const valid = validatorOf(schema, 'querystring');
  const query: Record<string, unknown> = {};
  t.equal(valid(query), true, 'both are optional');
  t.same(query, { limit: 50 }, 'and the page size defaults to 50');

  for (const limit of ['1', '200', '37']) t.equal(valid({ limit }), true, `limit=${limit}`);
  for (const limit of ['0', '201', '-1', '1.5', 'ten', '']) t.equal(valid({ limit }), false, `limit=${limit}`);
  const coerced: Record<string, unknown> = { limit: '10' };
  valid(coerced);
  t.same(coerced, { limit: 10 }, 'a limit is read as a number');

  t.equal(valid({ cursor: 'c' }), true);
  t.equal(valid({ cursor: 'c'.repeat(512) }), true, '512 characters');
  t.equal(valid({ cursor: 'c'.repeat(513) }), false, '513 characters');
  t.equal(valid({ cursor: '' }), false, 'an empty cursor');
});

t.test('Idempotency-Key: 1..255 printable ASCII characters without spaces, optional', async (t) => {
  const valid = validatorOf(IdempotencyHeaders, 'headers');
  t.equal(valid({}), true, 'absent');
  for (const key of ['a', 'idem-0c8e6c2e-1111-4222-8333-944445555666', '!~', 'k'.repeat(255)]) t.equal(valid({ 'idempotency-key': key }), true, `${key.length} characters`);
  for (const key of ['', 'k'.repeat(256), 'two words', 'tab\there', 'schlüssel', 'line\nbreak']) {
    t.equal(valid({ 'idempotency-key': key }), false, JSON.stringify(key.slice(0, 20)));
  }
});

t.test('If-Match takes 1..200 characters, If-None-Match 1..2000, and the two request header sets combine', async (t) => {
  const ifMatch = validatorOf(IfMatchHeaders, 'headers');
  t.equal(ifMatch({ 'if-match': '"v1"' }), true);
  t.equal(ifMatch({ 'if-match': 'e'.repeat(200) }), true);
  t.equal(ifMatch({ 'if-match': 'e'.repeat(201) }), false);
  t.equal(ifMatch({ 'if-match': '' }), false);

  const ifNoneMatch = validatorOf(IfNoneMatchHeaders, 'headers');
  t.equal(ifNoneMatch({ 'if-none-match': 'e'.repeat(2000) }), true);
  t.equal(ifNoneMatch({ 'if-none-match': 'e'.repeat(2001) }), false);
  t.equal(ifNoneMatch({ 'if-none-match': '' }), false);

  t.same(Object.keys(IdempotentIfMatchHeaders.properties).sort(), ['idempotency-key', 'if-match']);
  const both = validatorOf(IdempotentIfMatchHeaders, 'headers');
  t.equal(both({ 'idempotency-key': 'k1', 'if-match': '"v1"' }), true);
  t.equal(both({ 'idempotency-key': 'two words', 'if-match': '"v1"' }), false, 'the Idempotency-Key is checked');
  t.equal(both({ 'idempotency-key': 'k1', 'if-match': '' }), false, 'and If-Match');
});

t.test('OpenCodes: any string, with the known codes listed in x-extensible-enum and the description', async (t) => {
  const codes = ['VOTE_ALREADY_CAST', 'CONFLICT'];
  const schema = OpenCodes(codes, 'What went wrong') as unknown as { type: string; description: string; 'x-extensible-enum': string[] };
  t.equal(schema.type, 'string');
  t.same(schema['x-extensible-enum'], codes);
  t.not(schema['x-extensible-enum'], codes, 'a copy, not the array passed in');
  t.equal(schema.description, 'What went wrong. Known codes: VOTE_ALREADY_CAST, CONFLICT; more may be added.');
  const valid = validatorOf(Type.Object({ code: OpenCodes(codes, 'Code') }));
  t.equal(valid({ code: 'CONFLICT' }), true);
  t.equal(valid({ code: 'A_CODE_ADDED_LATER' }), true, 'a code a later release adds is still valid');
  t.equal(valid({ code: 42 }), false);
});

t.test('Problem: an RFC 9457 body with a status from 400 to 599 and a known or later code', async (t) => {
  const valid = validatorOf(Problem);
  const problem = { type: 'urn:eszl:problem:conflict', title: 'Conflict', status: 409, detail: 'Not now.', code: 'CONFLICT' };
  t.equal(valid(problem), true);
  t.equal(valid({ ...problem, instance: '/api/v1/decisions/x', errors: [{ path: '/amountCents', message: 'too large', code: 'AMOUNT_OUT_OF_RANGE' }] }), true);
  for (const status of [400, 599]) t.equal(valid({ ...problem, status }), true, `status ${status}`);
  for (const status of [399, 600, 409.5]) t.equal(valid({ ...problem, status }), false, `status ${status}`);
  for (const field of ['type', 'title', 'status', 'detail', 'code']) {
    const { [field]: _left, ...without } = problem as Record<string, unknown>;
    t.equal(valid(without), false, `without ${field}`);
  }
  t.equal(valid({ ...problem, errors: [{ path: '/x' }] }), false, 'an error entry needs a message');
  t.same(
    (Problem.properties.code as unknown as { 'x-extensible-enum': string[] })['x-extensible-enum'],
    Object.keys(ERROR_CATALOGUE),
    'the code lists the whole catalogue',
  );
});

t.test('Page: a named item is referenced, an unnamed one inlined; nextCursor is a string or null', async (t) => {
  const Named = Type.Object({ id: Type.String() }, { $id: 'Thing' });
  const named = Page(Named, 'ThingPage');
  t.equal((named as { $id?: string }).$id, 'ThingPage');
  t.same(named.properties.items.items, { $ref: 'Thing' }, 'the named item by reference');
  const Inline = Type.Object({ id: Type.String() });
  const inline = Page(Inline, 'InlinePage');
  t.same(inline.properties.items.items, Inline, 'the unnamed item as it is');

  const valid = validatorOf(Type.Object(Page(Inline, 'ValidatedPage').properties));
  t.equal(valid({ items: [{ id: 'a' }], nextCursor: 'next' }), true);
  t.equal(valid({ items: [], nextCursor: null }), true, 'null on the last page');
  t.equal(valid({ items: [] }), false, 'nextCursor is always there');
  t.equal(valid({ items: [{ id: 1 }], nextCursor: null }), false, 'items follow their schema');
});

t.test('success responses document the headers of their kind', async (t) => {
  const base = ['API-Version', 'X-Request-Id'];
  const headerNames = (response: unknown) => Object.keys((response as { headers: Record<string, unknown> }).headers).sort();
  const schema = Type.Object({ ok: Type.Boolean() });
  const plain = jsonResponse(schema, 'The thing') as unknown as { description: string; content: Record<string, { schema: unknown }> };
  t.equal(plain.description, 'The thing');
  t.equal(plain.content['application/json']?.schema, schema, 'the schema as given, as application/json');
  t.same(headerNames(plain), base.sort());
  t.same(headerNames(jsonResponse(schema, 'x', 'idempotent')), ['API-Version', 'Idempotent-Replayed', 'X-Request-Id']);
  t.same(headerNames(jsonResponse(schema, 'x', 'etag')), ['API-Version', 'ETag', 'X-Request-Id']);
  t.same(headerNames(jsonResponse(schema, 'x', 'idempotent-etag')), ['API-Version', 'ETag', 'Idempotent-Replayed', 'X-Request-Id']);
  const replayed = (jsonResponse(schema, 'x', 'idempotent') as unknown as { headers: Record<string, { enum?: string[] }> }).headers['Idempotent-Replayed'];
  t.same(replayed?.enum, ['true'], 'Idempotent-Replayed is only ever "true"');

  const content = { 'text/plain': { schema: { type: 'string' } } };
  const media = mediaResponse('As text', content) as unknown as { description: string; content: unknown };
  t.equal(media.content, content);
  t.same(headerNames(media), base.sort());
  t.same(headerNames(mediaResponse('As text', content, 'etag')), ['API-Version', 'ETag', 'X-Request-Id']);

  const notModified = notModifiedResponse() as unknown as { type: string };
  t.equal(notModified.type, 'null');
  t.same(headerNames(notModified), ['API-Version', 'ETag', 'X-Request-Id'], '304 names the ETag that still matches');
  const noContent = noContentResponse('Revoked') as unknown as { type: string; description: string };
  t.same([noContent.type, noContent.description], ['null', 'Revoked']);
  t.same(headerNames(noContent), base.sort());
});

const catalogueCodes = (status: number, scope?: string) =>
  (Object.keys(ERROR_CATALOGUE) as ErrorCode[]).filter((code) => ERROR_CATALOGUE[code].status === status && (scope === undefined || ERROR_CATALOGUE[code].scope === scope));

t.test('problemCodes: request codes always, domain codes as raised, idempotency codes for idempotent operations', async (t) => {
  t.same(problemCodes(401), ['UNAUTHENTICATED']);
  t.same(problemCodes(401, { raises: [] }), ['UNAUTHENTICATED'], 'a request code needs no raising');
  t.same(problemCodes(400, { raises: [] }), ['VALIDATION_FAILED']);
  t.same(problemCodes(400, { raises: ['AMOUNT_OUT_OF_RANGE'] }), ['VALIDATION_FAILED', 'AMOUNT_OUT_OF_RANGE'], 'in catalogue order');
  t.same(problemCodes(409), catalogueCodes(409, 'domain'), 'unset raises: every domain code of the status');
  t.same(problemCodes(409, { raises: ['VOTE_ALREADY_CAST'] }), ['VOTE_ALREADY_CAST']);
  t.same(problemCodes(409, { raises: [], idempotent: true }), ['IDEMPOTENCY_REQUEST_IN_PROGRESS', 'IDEMPOTENT_RESPONSE_NOT_STORED']);
  t.same(problemCodes(409, { idempotent: true }), catalogueCodes(409), 'an idempotent operation with every domain code: all of 409');
  t.same(problemCodes(422, { raises: [] }), [], 'no idempotency codes without idempotent');
  t.same(problemCodes(418), [], 'a status of no code');
});

type Documented = Record<string, { description: string; content: Record<string, { schema: { allOf: [{ $ref: string }, { properties: { code: { 'x-extensible-enum': string[] } } }] } }> }>;
const documented = (responses: unknown) => responses as Documented;
const codesOf = (responses: unknown, status: number) => documented(responses)[status]?.content['application/problem+json']?.schema.allOf[1].properties.code['x-extensible-enum'];

t.test('problems: the statuses of an authenticated route plus its own, each listing the codes that can answer it', async (t) => {
  const plain = documented(problems());
  t.same(Object.keys(plain), ['400', '401', '403', '429', '500', '503']);
  t.equal(plain[401]?.description, 'Missing or unknown API key');
  t.same(plain[401]?.content['application/problem+json']?.schema.allOf[0], { $ref: 'Problem' }, 'the shared Problem component');
  t.same(codesOf(plain, 400), catalogueCodes(400), 'unset raises: every code of each status');
  t.same(codesOf(plain, 503), ['SERVICE_UNAVAILABLE', 'AUDIT_SIGNING_KEY_MISSING']);

  const withNotFound = problems(404, 412);
  t.same(Object.keys(withNotFound), ['400', '401', '403', '404', '412', '429', '500', '503'], 'the statuses of the route itself, in order');
  t.same(codesOf(withNotFound, 404), ['ROUTE_NOT_FOUND', 'RESOURCE_NOT_FOUND']);

  const vote = problems({ raises: ['VOTE_ALREADY_CAST'], idempotent: true }, 404);
  t.same(Object.keys(vote), ['400', '401', '403', '404', '409', '422', '429', '500', '503'], 'raised and idempotency statuses join without being named');
  t.same(codesOf(vote, 400), ['VALIDATION_FAILED'], 'a raised list leaves out the domain codes it does not name');
  t.same(codesOf(vote, 409), ['VOTE_ALREADY_CAST', 'IDEMPOTENCY_REQUEST_IN_PROGRESS', 'IDEMPOTENT_RESPONSE_NOT_STORED']);
  t.same(codesOf(vote, 422), ['IDEMPOTENCY_KEY_REUSED']);

  const unlisted = documented(problems({ raises: ['METHOD_NOT_ALLOWED'] }));
  t.equal(unlisted[405]?.description, 'Problem', 'a status without a description of its own');
});

t.test('problems and publicProblems refuse a declared status that no code can answer', async (t) => {
  t.throws(() => problems({ raises: [] }, 409), /status 409 is declared, but no error code of the catalogue answers it here/);
  t.throws(() => publicProblems(409), /status 409 is declared/);
  t.throws(() => problems({ raises: [] }, 422), /status 422 is declared/, 'an idempotency status without idempotent');
});

t.test('publicProblems: a route without a key answers 429, 500 and 503, and request codes only', async (t) => {
  t.same(Object.keys(publicProblems()), ['429', '500', '503']);
  const withNotFound = publicProblems(404, 400);
  t.same(Object.keys(withNotFound), ['400', '404', '429', '500', '503']);
  t.same(codesOf(withNotFound, 400), ['VALIDATION_FAILED'], 'no domain code');
});

t.test('documentedProblemCodes reads the codes a route schema lists for a status', async (t) => {
  const schema: FastifySchema = { response: { 200: jsonResponse(Type.Object({}), 'ok'), ...problems({ raises: ['VOTE_ALREADY_CAST'] }, 404) } };
  const responses = schema.response as Record<string, unknown>;
  t.same(documentedProblemCodes(responses, 409), ['VOTE_ALREADY_CAST']);
  t.same(documentedProblemCodes(responses, 404), ['ROUTE_NOT_FOUND', 'RESOURCE_NOT_FOUND']);
  t.equal(documentedProblemCodes(responses, 422), undefined, 'a status not documented');
  t.equal(documentedProblemCodes(responses, 200), undefined, 'a response that is no problem');
  t.equal(documentedProblemCodes(undefined, 404), undefined, 'a route without responses');
});
