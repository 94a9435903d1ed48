import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, ERROR_CATALOGUE, type ErrorCode, type FieldError } from '../../domain/errors.js';
import { isDatabaseUnavailable } from '../../use-cases/database-faults.js';
import type { ResponseHeaders } from '../response-headers.js';

/**
 * The one place where errors become problem+json (RFC 9457). Domain errors carry their code and
 * status; framework errors are mapped to catalogue codes; anything else is a 500 whose body says
 * nothing internal while the log keeps the detail under the request id.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

export function problemType(code: ErrorCode): string {
  return `urn:eszl:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export function problemBody(code: ErrorCode, detail: string, errors?: FieldError[]): ProblemBody {
  const { status, title } = ERROR_CATALOGUE[code];
  return { type: problemType(code), title, status, detail, code, ...(errors && { errors }) };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  if (body.status === 503) reply.header('Retry-After', '5');
  return reply.code(body.status).type('application/problem+json').send(body);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const CONTEXT_PREFIX: Record<string, string> = { querystring: 'query', params: 'path', headers: 'header' };

/**
 * A nullable field (`anyOf: [X, null]`) that fails X also fails `null` and the `anyOf` itself;
 * only the X problem says anything useful, so the other two are dropped when it is present.
 */
function withoutNullableNoise(validation: readonly AjvError[]): AjvError[] {
  const pathsWithRealErrors = new Set(
    validation.filter((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null')).map((e) => e.instancePath),
  );
  return validation.filter(
    (e) => !((e.keyword === 'anyOf' || (e.keyword === 'type' && e.params.type === 'null')) && pathsWithRealErrors.has(e.instancePath)),
  );
}

/** Body problems are JSON Pointers into the body; query, path and header ones are `query.limit` etc. */
export function validationErrors(validation: readonly AjvError[], context: string | undefined): FieldError[] {
  return withoutNullableNoise(validation).map((error) => {
    let pointer = error.instancePath;
    if (error.keyword === 'required') pointer += `/${String(error.params.missingProperty)}`;
    if (error.keyword === 'additionalProperties') pointer += `/${String(error.params.additionalProperty)}`;
    const prefix = context === undefined ? undefined : CONTEXT_PREFIX[context];
    const path = prefix === undefined ? pointer || '/' : `${prefix}.${pointer.replace(/^\//, '').replaceAll('/', '.')}`;
    let message = error.message ?? error.keyword;
    if (error.keyword === 'additionalProperties') message = 'is not a known property';
    if (error.keyword === 'enum') message = `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`;
    return { path, message };
  });
}

/**
 * Below HTTP, fields are named as JSON Pointers into the input a use case was given
 * (`/municipalityId`). A request with a body gave it that body, whose problems stay pointers; a
 * GET or HEAD gave it its query string, whose problems are named as the validator names them
 * (`query.municipalityId`). A pointer to the whole input (`/`) stays as it is.
 */
export function inRequestTerms(errors: FieldError[] | undefined, request: Pick<FastifyRequest, 'method'>): FieldError[] | undefined {
  if (errors === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) return errors;
  return errors.map((error) => (error.path.length > 1 && error.path.startsWith('/') ? { ...error, path: `query.${error.path.slice(1).replaceAll('/', '.')}` } : error));
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export function toProblem(error: FastifyError | DomainError | Error, request: FastifyRequest): ProblemBody {
  if (error instanceof DomainError) return problemBody(error.code, error.message, inRequestTerms(error.errors, request));
  const fastifyError = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    const errors = validationErrors(fastifyError.validation, fastifyError.validationContext);
    return problemBody('VALIDATION_FAILED', `The request has ${errors.length} invalid value(s).`, errors);
  }
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return problemBody('PAYLOAD_TOO_LARGE', 'The request body exceeds the limit of this API.');
  }
  if (isDatabaseUnavailable(error)) {
    request.log.error({ err: error }, 'database unavailable');
    return problemBody('SERVICE_UNAVAILABLE', 'The database is unavailable; try again shortly.');
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'VALIDATION_FAILED';
    // Framework messages for 4xx describe the request (bad JSON, wrong media type), never internals.
    return problemBody(code, fastifyError.message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return problemBody('INTERNAL_ERROR', `An unexpected error occurred; quote request id ${request.id} when reporting it.`);
}

/**
 * Errors the router raises before any hook runs (a malformed percent-encoding, an over-long path
 * parameter): still problem+json, with the headers every response carries.
 */
export function frameworkErrorHandler(headers: ResponseHeaders) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
    const body = problemBody(
      'VALIDATION_FAILED',
      tooLong ? 'A path parameter is longer than any identifier of this API.' : 'The path is not validly percent-encoded.',
      [{ path: 'path', message: tooLong ? 'is too long' : 'is not a valid URL component' }],
    );
    headers.security(request, reply);
    headers.contract(request, reply);
    void sendProblem(reply, body);
  };
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler<FastifyError | DomainError>((error, request, reply) => sendProblem(reply, toProblem(error, request)));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problemBody('ROUTE_NOT_FOUND', `No resource at ${request.method} ${request.url.split('?')[0]}.`)),
  );
}

export default fp(errorsPlugin, { name: 'errors' });
