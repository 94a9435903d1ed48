import type { LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { DomainError } from '../../src/domain/errors.js';

/**
 * The one place where tests check an answer's status. In a test, `okJson` and `problemOf` assert
 * the status and media type as tap assertions, counted and reported; in set-up, `expectStatus`
 * (and `expectJson`) throw unless the API answered as the step must, failing the subtest with
 * the body. Helpers and tests keep no status check of their own.
 */

/** Formats of the contract: ids are UUIDs, timestamps RFC 3339 in UTC. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** An RFC 9457 problem document, as every error of the API answers. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
}

/** An answer's status and media type, as tap assertions. */
function assertStatus(t: Test, res: LightMyRequestResponse, status: number, mediaType: RegExp, name: string): void {
  t.equal(res.statusCode, status, `status ${status} (body: ${res.body.slice(0, 400)})`);
  t.match(String(res.headers['content-type']), mediaType, `content-type is ${name}`);
}

/** Asserts a JSON answer with the given status (200 unless told) and returns its parsed body. */
export function okJson<T>(t: Test, res: LightMyRequestResponse, status = 200): T {
  assertStatus(t, res, status, /^application\/json/, 'application/json');
  return res.json<T>();
}

/**
 * Asserts that `res` is a problem+json answer with the given HTTP status (and code, when given),
 * whose body repeats the status and carries type, title, detail and code, without a stack trace.
 * Returns the body and `paths`: the distinct `errors[].path` values, in the order they first occur.
 */
export function problemOf(t: Test, res: LightMyRequestResponse, status: number, code?: string): Problem & { paths: string[] } {
  assertStatus(t, res, status, /^application\/problem\+json/, 'application/problem+json');
  const body = res.json<Problem>();
  t.equal(body.status, status, 'status field equals the HTTP status');
  t.type(body.type, 'string', 'type is present');
  t.type(body.title, 'string', 'title is present');
  t.type(body.detail, 'string', 'detail is present');
  t.type(body.code, 'string', 'code is present');
  if (code !== undefined) t.equal(body.code, code, `code is ${code}`);
  t.notMatch(res.body, /\n\s+at |node_modules/, 'no stack trace');
  return { ...body, paths: [...new Set(errorPaths(body))] };
}

/** Every `errors[].path` of a problem, in order and with repeats. */
export function errorPaths(problem: Pick<Problem, 'errors'>): string[] {
  return (problem.errors ?? []).map((error) => error.path);
}

/** Every `errors[].path` of a problem, with repeats, sorted. */
export function sortedErrorPaths(problem: Pick<Problem, 'errors'>): string[] {
  return errorPaths(problem).sort();
}

/** For set-up steps, not assertions: throws (failing the subtest) unless the API answered `status`; returns the answer. */
export function expectStatus<R extends { statusCode: number; body: string }>(res: R, status: number, what: string): R {
  if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode}: ${res.body}`);
  return res;
}

/** `expectStatus`, then the answer's JSON body. */
export function expectJson<T>(res: { statusCode: number; body: string }, status: number, what: string): T {
  return JSON.parse(expectStatus(res, status, what).body) as T;
}

/**
 * The DomainError a use case called directly refuses with, to inspect every problem it answers
 * (`errors`, each with its code); throws, failing the subtest, when the use case succeeds or fails otherwise.
 */
export async function refusalOf(change: Promise<unknown>): Promise<DomainError> {
  const outcome = await change.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof DomainError)) throw new Error(`expected a DomainError, got ${outcome === undefined ? 'success' : String(outcome)}`);
  return outcome;
}

/** Each problem of a refusal as [code, path]. */
export const problemsOf = (refusal: DomainError) => (refusal.errors ?? []).map((error) => [error.code, error.path]);
