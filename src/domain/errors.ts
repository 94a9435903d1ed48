/**
 * Where an error can be answered, which decides the operations whose OpenAPI problem responses
 * list it (see `problems()` in src/http/schemas.ts):
 * - `request`: by the request pipeline (routing, authentication, validation, limits, outages), on
 *   any operation that declares the status;
 * - `idempotency`: on operations that take an Idempotency-Key;
 * - `domain`: raised by use cases; listed on every operation that declares the status, unless the
 *   operation names the domain codes it raises.
 */
export type ErrorScope = 'request' | 'idempotency' | 'domain';

export interface CatalogueEntry {
  status: number;
  /** The problem's `title`: the same for every occurrence of the code. */
  title: string;
  /** What happened, for docs/errors.md. */
  meaning: string;
  /** What the client should do about it, for docs/errors.md. */
  action: string;
  scope: ErrorScope;
}

/**
 * The one catalogue of errors the service can answer with. Each entry has a stable
 * machine-readable code (part of the public contract), the HTTP status the contract assigns to
 * it, and the texts of docs/errors.md. Domain code throws `DomainError`; the HTTP layer maps it to
 * problem+json. A new error is one entry here: the OpenAPI document and docs/errors.md follow.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: {
    status: 400,
    title: 'Invalid input',
    meaning: 'The body, a query or path parameter or a header is invalid; `errors` lists every problem at once.',
    action: 'Correct every value named in `errors[].path` and send the request again.',
    scope: 'request',
  },
  REFERENCED_RESOURCE_NOT_FOUND: {
    status: 400,
    title: 'Referenced resource does not exist',
    meaning: 'An id in the body (an organisation, programme or municipality) names nothing in the register.',
    action: 'Check the ids named in `errors`; create the resource first or use an existing id.',
    scope: 'domain',
  },
  COLLEGE_KEY_NEEDS_CENTRE_MUNICIPALITY: {
    status: 400,
    title: 'College key needs a centre municipality',
    meaning: 'A `college` key must be bound to an existing centre municipality through `organisationId`.',
    action: 'Send the id of a municipality with `centreMunicipality: true`.',
    scope: 'domain',
  },
  CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY: {
    status: 400,
    title: 'Only a municipality can be a centre municipality',
    meaning: '`centreMunicipality: true` was sent for an organisation whose `kind` is not `municipality`.',
    action: 'Set `kind` to `municipality` or leave `centreMunicipality` false.',
    scope: 'domain',
  },
  AMOUNT_OUT_OF_RANGE: {
    status: 400,
    title: 'Amount out of range',
    meaning: 'An amount is not a positive integer number of euro cents, or the total is too large.',
    action: 'Send amounts as integer cents (EUR 140,000 is 14000000) within the documented bounds.',
    scope: 'domain',
  },
  VOTE_MUNICIPALITY_NOT_REQUIRED: {
    status: 400,
    title: 'Municipality is not asked to ratify this decision',
    meaning: 'The vote names a municipality that is not in the decision\'s `ratification.requiredMunicipalityIds`.',
    action: 'Vote only for a municipality listed in `requiredMunicipalityIds`.',
    scope: 'domain',
  },
  MUNICIPALITY_NOT_REQUIRED: {
    status: 400,
    title: 'No ratification request to this municipality',
    meaning: 'The ratification request names a `municipalityId` that is not in the decision\'s `ratification.requiredMunicipalityIds`.',
    action: 'Ask for the letter to a municipality listed in `requiredMunicipalityIds` (a college key may leave `municipalityId` out: its own).',
    scope: 'domain',
  },
  VOTE_DATE_OUT_OF_RANGE: {
    status: 400,
    title: 'Vote date out of range',
    meaning: '`decidedOn` lies before the board meeting or after today (Europe/Amsterdam).',
    action: 'Send the date on which the college decided, between the board meeting and today.',
    scope: 'domain',
  },
  CONDITION_FULFILMENT_DATE_OUT_OF_RANGE: {
    status: 400,
    title: 'Fulfilment date out of range',
    meaning: '`fulfilledOn` lies after today (Europe/Amsterdam).',
    action: 'Send the date on which the condition was met, today or earlier.',
    scope: 'domain',
  },
  DISBURSEMENT_DATE_OUT_OF_RANGE: {
    status: 400,
    title: 'Payment date out of range',
    meaning: '`paidOn` lies before the day the decision began to bind, or after today.',
    action: 'Send a `paidOn` between the day the decision bound and today (Europe/Amsterdam).',
    scope: 'domain',
  },
  ADOPTION_DATE_OUT_OF_RANGE: {
    status: 400,
    title: 'Adoption date out of range',
    meaning: '`adoptedOn` lies before the board meeting or after today (Europe/Amsterdam).',
    action: 'Send the day the board adopted the decision, between its board meeting and today, or leave it out for today.',
    scope: 'domain',
  },
  SETTLEMENT_DATE_OUT_OF_RANGE: {
    status: 400,
    title: 'Settlement date out of range',
    meaning: '`settledOn` lies before the day the decision began to bind, or after today.',
    action: 'Send a `settledOn` between the day the decision bound and today (Europe/Amsterdam).',
    scope: 'domain',
  },
  UNAUTHENTICATED: {
    status: 401,
    title: 'Authentication required',
    meaning: 'No API key was sent, or the key is unknown or revoked.',
    action:
      'Send `Authorization: Bearer <api key>`. An admin issues keys with `POST /api/v1/api-keys`; the first admin key comes from `npm run api-key -- create --role admin --name <name>` on the server (or ADMIN_API_KEY).',
    scope: 'request',
  },
  FORBIDDEN: {
    status: 403,
    title: 'Action not allowed for this API key',
    meaning: 'The key\'s role may not do this, or a college key acts for another municipality.',
    action: 'Use a key with a role that may (see the roles in docs/api-guide.md#keys-and-roles), or ask an admin for one.',
    scope: 'request',
  },
  PROOF_OUT_OF_RANGE: {
    status: 400,
    title: 'No proof for these sizes',
    meaning: 'A transparency log proof was asked for a tree size beyond the latest checkpoint, a leaf outside the tree, or from a size above the one it goes to.',
    action: 'Ask for sizes up to the `treeSize` of GET /api/v1/tlog/status (or leave treeSize out), a seq at or below the tree size, and from <= to.',
    scope: 'domain',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    title: 'Not found',
    meaning: 'No resource at this path (paths have no trailing slash and start with /api/v1).',
    action: 'Check the path against the OpenAPI document.',
    scope: 'request',
  },
  RESOURCE_NOT_FOUND: {
    status: 404,
    title: 'Resource not found',
    meaning: 'The id in the path names nothing in the register.',
    action: 'Check the id; list the resources to find the right one.',
    scope: 'request',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method not allowed',
    meaning: 'The path exists, but not with this HTTP method.',
    action: 'Use a method the OpenAPI document lists for the path.',
    scope: 'request',
  },
  NOT_ACCEPTABLE: {
    status: 406,
    title: 'Not acceptable',
    meaning: 'The `Accept` header asks for a representation the service does not offer.',
    action: 'Accept `application/json` (and `application/problem+json` for errors).',
    scope: 'request',
  },
  PROGRAMME_CODE_TAKEN: {
    status: 409,
    title: 'Programme code already in use',
    meaning: 'Another programme already has this `code`.',
    action: 'Choose another code, or work with the existing programme.',
    scope: 'domain',
  },
  DECISION_REFERENCE_TAKEN: {
    status: 409,
    title: 'Decision reference already in use',
    meaning: 'Another decision already has this `reference`.',
    action: 'Use the board\'s own reference of this decision; a retry of a create should send the same Idempotency-Key.',
    scope: 'domain',
  },
  DECISION_TRANSITION_NOT_ALLOWED: {
    status: 409,
    title: 'Action not allowed in the decision\'s current state',
    meaning: 'The decision\'s `status` does not allow this action (see the state table in the README).',
    action: 'GET the decision and check its `status` before acting.',
    scope: 'domain',
  },
  NO_CENTRE_MUNICIPALITIES: {
    status: 409,
    title: 'No centre municipality exists to ratify',
    meaning: 'The decision needs ratification, but no organisation is a centre municipality.',
    action: 'Register the centre municipalities (`centreMunicipality: true`) first, then adopt.',
    scope: 'domain',
  },
  DECISION_NOT_IN_RATIFICATION: {
    status: 409,
    title: 'The decision was never put to the colleges',
    meaning: 'A ratification request exists only for a decision that is or was in `pending_ratification`; this one never was (a draft, or one that bound at adoption).',
    action: 'GET the decision: `ratification.requiredMunicipalityIds` is empty while no college is asked to ratify it.',
    scope: 'domain',
  },
  VOTE_ALREADY_CAST: {
    status: 409,
    title: 'Municipality has already voted',
    meaning: 'This municipality already voted on this decision; votes are final.',
    action: 'Nothing to retry; read the decision\'s votes.',
    scope: 'domain',
  },
  CONDITION_NOT_FULFILLABLE: {
    status: 409,
    title: 'Condition cannot be fulfilled now',
    meaning: 'The condition is already fulfilled, or the decision is not pending, adopted or ratified.',
    action: 'GET the decision and check the condition\'s and the decision\'s status.',
    scope: 'domain',
  },
  STATUTE_RULE_NOT_LATEST: {
    status: 409,
    title: 'A new statute rule must take effect after the latest one',
    meaning: "A new statute rule takes effect after every existing rule: the `effectiveFrom` sent is not later than the latest rule's.",
    action: 'Read GET /statute-rules and send an `effectiveFrom` after the latest one (and not before today).',
    scope: 'domain',
  },
  DISBURSEMENT_EXCEEDS_COMMITMENT: {
    status: 409,
    title: 'Payment exceeds what remains of the commitment',
    meaning: 'The payment would make the sum paid on the commitment exceed its amount (or its final amount once settled); `detail` names what remains.',
    action: 'Pay at most the remaining amount named in `detail`.',
    scope: 'domain',
  },
  CONDITION_BLOCKS_DISBURSEMENT: {
    status: 409,
    title: 'An open condition blocks payments of this decision',
    meaning: 'The decision has a condition with `blocksDisbursement: true` that is not fulfilled yet.',
    action: 'Fulfil the blocking condition first (POST .../conditions/{conditionId}/fulfil), then pay.',
    scope: 'domain',
  },
  DISBURSEMENT_BLOCKED: {
    status: 409,
    title: 'A condition blocked payments on the payment date',
    meaning: '`paidOn` lies before the fulfilment date of a condition with `blocksDisbursement: true`; `detail` names the condition.',
    action: 'Send a `paidOn` on or after the day the blocking condition was fulfilled.',
    scope: 'domain',
  },
  INSUFFICIENT_FUNDS: {
    status: 409,
    title: 'The ESZL fund does not cover this decision',
    meaning: "The statute rule in force has `fundCheck: block` and the uncommitted means of the ESZL fund are less than the decision's total.",
    action: 'Record the contributions that cover it (POST /fund/contributions), reduce the decision, or adopt under a rule that flags.',
    scope: 'domain',
  },
  WEBHOOKS_NOT_CONFIGURED: {
    status: 409,
    title: 'Webhooks are not configured on this service (WEBHOOK_SIGNING_KEY)',
    meaning: 'The service runs without WEBHOOK_SIGNING_KEY, so it cannot sign notifications.',
    action: 'Ask the operator to set WEBHOOK_SIGNING_KEY (at least 32 characters).',
    scope: 'domain',
  },
  CONFLICT: {
    status: 409,
    title: 'Conflict with the current state',
    meaning: 'The change conflicts with data in the register (for a redelivery: the subscription was cancelled).',
    action: 'Read the resource again and decide whether the change still makes sense.',
    scope: 'domain',
  },
  IDEMPOTENCY_REQUEST_IN_PROGRESS: {
    status: 409,
    title: 'A request with this Idempotency-Key is still being processed',
    meaning: 'The first request with this Idempotency-Key has not finished yet.',
    action: 'Retry the same request with the same key a little later (see Retry-After if present).',
    scope: 'idempotency',
  },
  IDEMPOTENT_RESPONSE_NOT_STORED: {
    status: 409,
    title: 'The first request succeeded; its response holds a secret and is not replayed',
    meaning: 'The first request with this Idempotency-Key succeeded; its response held a secret (a key, a webhook secret) and is not stored.',
    action: 'Do not repeat it: list the resources to find the one created; revoke it and create a new one if the secret was lost.',
    scope: 'idempotency',
  },
  INDICATOR_CODE_TAKEN: {
    status: 409,
    title: 'The decision has an indicator with this code already',
    meaning: 'The decision already has a monitoring indicator with this `code`.',
    action: 'Use another code, or report on the existing indicator.',
    scope: 'domain',
  },
  AMENDMENT_IN_PROGRESS: {
    status: 409,
    title: 'The decision has an amendment in draft or awaiting ratification',
    meaning: 'The decision has an amendment in `draft` or `pending_ratification`: it cannot be amended again or settled until that amendment binds, is rejected or is withdrawn.',
    action: 'Finish the live amendment first (adopt, or withdraw it), then act on the decision.',
    scope: 'domain',
  },
  AMOUNT_BELOW_DISBURSED: {
    status: 409,
    title: 'The amount would be less than what was already paid',
    meaning: "The amount would be less than what was already paid on the commitment: an amendment's commitment (at its adoption) or a settlement's final amount.",
    action: 'Keep at least the paid amount (see `disbursedCents`) for that programme and year.',
    scope: 'domain',
  },
  PRECONDITION_FAILED: {
    status: 412,
    title: 'The resource has changed (If-Match does not match its ETag)',
    meaning: 'The resource changed since the ETag sent in If-Match was read.',
    action: 'GET the resource again, re-apply the change to what it is now, and send the new ETag.',
    scope: 'request',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Request body too large',
    meaning: 'The body is larger than the service accepts (BODY_LIMIT_BYTES, at most 1 MiB).',
    action: 'Send a smaller body.',
    scope: 'request',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    meaning: 'The body is not `application/json`.',
    action: 'Send JSON with `Content-Type: application/json`.',
    scope: 'request',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency-Key reused with a different request',
    meaning: 'This Idempotency-Key was used before for a request with another path or body.',
    action: 'Use a new Idempotency-Key for every distinct request.',
    scope: 'idempotency',
  },
  WEBHOOK_HANDSHAKE_FAILED: {
    status: 422,
    title: 'The callback URL did not agree to receive notifications',
    meaning:
      'Before a `cloudevents` subscription is stored, the service sends `OPTIONS <callbackUrl>` with `WebHook-Request-Origin` (CloudEvents HTTP Web Hooks, section 4); the receiver did not answer 2xx with `WebHook-Allowed-Origin` set to that origin or `*`. `detail` says what it answered. Nothing was stored.',
    action: 'Make the receiver answer the OPTIONS request as docs/webhooks.md shows, then create the subscription again.',
    scope: 'domain',
  },
  RATE_LIMITED: {
    status: 429,
    title: 'Too many requests',
    meaning: 'This API key made more requests in the last minute than the service allows (RATE_LIMIT_PER_MINUTE).',
    action: 'Wait the number of seconds in Retry-After, then retry.',
    scope: 'request',
  },
  INTERNAL_ERROR: {
    status: 500,
    title: 'Internal server error',
    meaning: 'An unexpected error; the body says nothing internal, the log has the detail under the request id.',
    action: 'Retry once; if it persists, report the X-Request-Id to the operator.',
    scope: 'request',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: 'Service unavailable',
    meaning: 'The database is unreachable or the service sheds load.',
    action: 'Retry after the number of seconds in Retry-After.',
    scope: 'request',
  },
  AUDIT_SIGNING_KEY_MISSING: {
    status: 503,
    title: 'Audit checkpoints need AUDIT_SIGNING_KEY on this service',
    meaning: 'This instance runs on PostgreSQL without `AUDIT_SIGNING_KEY`, so it cannot sign or serve audit checkpoints.',
    action: 'The operator sets AUDIT_SIGNING_KEY (an Ed25519 private key, PKCS#8 PEM) on every instance; until then use the export and its hash chain.',
    scope: 'request',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface FieldError {
  path: string;
  message: string;
  /** The code of the problem this entry belongs to, in an answer that holds several problems. */
  code?: ErrorCode;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly errors: FieldError[] | undefined;
  /** Every problem this error answers for, in the order found; just itself unless several were collected. */
  readonly problems: readonly DomainError[];

  constructor(code: ErrorCode, detail: string, errors?: FieldError[], problems?: readonly DomainError[]) {
    super(detail);
    this.name = 'DomainError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.title = ERROR_CATALOGUE[code].title;
    this.errors = errors;
    this.problems = problems ?? [this];
  }
}

/**
 * Several problems answered at once: the first (in the contract's order, the order the checks
 * ran) decides the code and the status; `errors` lists every problem's entries, each carrying its
 * problem's code (a problem without entries of its own gets one at `/`), and `detail` joins the
 * problems' details. One problem is answered as itself.
 */
export function allProblems(problems: readonly DomainError[]): DomainError {
  const flat = problems.flatMap((problem) => problem.problems);
  const [first] = flat;
  if (first === undefined) throw new Error('allProblems needs at least one problem');
  if (flat.length === 1) return first;
  const errors = flat.flatMap((problem) =>
    (problem.errors ?? [{ path: '/', message: problem.message }]).map((error) => ({ ...error, code: error.code ?? problem.code })),
  );
  const detail = `The request has ${flat.length} problems: ${flat.map((problem) => problem.message).join(' ')}`;
  return new DomainError(first.code, detail, errors, flat);
}

/**
 * The problems a use case's checks find, collected without side effects so that one answer
 * names them all: `add` the problem of each failing check in the contract's order, then
 * `throwIfAny`. A check whose failure makes the later ones meaningless (an unknown resource, a
 * state that does not allow the action at all) still throws at once.
 */
export class Problems {
  private readonly found: DomainError[] = [];

  add(problem: DomainError): void {
    this.found.push(problem);
  }

  /** Runs a check that throws its problem: its result, or undefined with a DomainError collected (anything else propagates). */
  check<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.add(error);
      return undefined;
    }
  }

  /** `check` for a check that reads (never writes) before it answers. */
  async checkAsync<T>(run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.add(error);
      return undefined;
    }
  }

  get any(): boolean {
    return this.found.length > 0;
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw allProblems(this.found);
  }
}

export function notFound(resource: string, id: string): DomainError {
  return new DomainError('RESOURCE_NOT_FOUND', `${resource} ${id} does not exist.`);
}

/** A referenced id in the request body (not the path) that does not exist is invalid input: 400. */
export function referenceNotFound(path: string, resource: string, id: string): DomainError {
  return new DomainError('REFERENCED_RESOURCE_NOT_FOUND', `${resource} ${id} does not exist.`, [
    { path, message: `${resource} ${id} does not exist` },
  ]);
}
