/**
 * The one catalogue of errors the service can answer with. Each entry has a stable
 * machine-readable code (part of the public contract) and the HTTP status the contract
 * assigns to it. Domain code throws `DomainError`; the HTTP layer maps it to problem+json.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, title: 'Invalid input' },
  REFERENCED_RESOURCE_NOT_FOUND: { status: 400, title: 'Referenced resource does not exist' },
  COLLEGE_KEY_NEEDS_CENTRE_MUNICIPALITY: { status: 400, title: 'College key needs a centre municipality' },
  CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY: { status: 400, title: 'Only a municipality can be a centre municipality' },
  AMOUNT_OUT_OF_RANGE: { status: 400, title: 'Amount out of range' },
  VOTE_MUNICIPALITY_NOT_REQUIRED: { status: 400, title: 'Municipality is not asked to ratify this decision' },
  VOTE_DATE_OUT_OF_RANGE: { status: 400, title: 'Vote date out of range' },
  CONDITION_FULFILMENT_DATE_OUT_OF_RANGE: { status: 400, title: 'Fulfilment date out of range' },
  DISBURSEMENT_DATE_OUT_OF_RANGE: { status: 400, title: 'Payment date out of range' },
  SETTLEMENT_DATE_OUT_OF_RANGE: { status: 400, title: 'Settlement date out of range' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Action not allowed for this API key' },
  ROUTE_NOT_FOUND: { status: 404, title: 'Not found' },
  RESOURCE_NOT_FOUND: { status: 404, title: 'Resource not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  NOT_ACCEPTABLE: { status: 406, title: 'Not acceptable' },
  PROGRAMME_CODE_TAKEN: { status: 409, title: 'Programme code already in use' },
  DECISION_REFERENCE_TAKEN: { status: 409, title: 'Decision reference already in use' },
  DECISION_TRANSITION_NOT_ALLOWED: { status: 409, title: 'Action not allowed in the decision\'s current state' },
  NO_CENTRE_MUNICIPALITIES: { status: 409, title: 'No centre municipality exists to ratify' },
  VOTE_ALREADY_CAST: { status: 409, title: 'Municipality has already voted' },
  CONDITION_NOT_FULFILLABLE: { status: 409, title: 'Condition cannot be fulfilled now' },
  STATUTE_RULE_NOT_LATEST: { status: 409, title: 'A new statute rule must take effect after the latest one' },
  DISBURSEMENT_EXCEEDS_COMMITMENT: { status: 409, title: 'Payment exceeds what remains of the commitment' },
  CONDITION_BLOCKS_DISBURSEMENT: { status: 409, title: 'An open condition blocks payments of this decision' },
  AMENDMENT_IN_PROGRESS: { status: 409, title: 'The decision has an amendment in draft or awaiting ratification' },
  AMOUNT_BELOW_DISBURSED: { status: 409, title: 'The amount would be less than what was already paid' },
  INSUFFICIENT_FUNDS: { status: 409, title: 'The ESZL fund does not cover this decision' },
  WEBHOOKS_NOT_CONFIGURED: { status: 409, title: 'Webhooks are not configured on this service (WEBHOOK_SIGNING_KEY)' },
  CONFLICT: { status: 409, title: 'Conflict with the current state' },
  IDEMPOTENCY_REQUEST_IN_PROGRESS: { status: 409, title: 'A request with this Idempotency-Key is still being processed' },
  IDEMPOTENT_RESPONSE_NOT_STORED: { status: 409, title: 'The first request succeeded; its response holds a secret and is not replayed' },
  PRECONDITION_FAILED: { status: 412, title: 'The resource has changed (If-Match does not match its ETag)' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Request body too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'Idempotency-Key reused with a different request' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL_ERROR: { status: 500, title: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  AUDIT_SIGNING_KEY_MISSING: { status: 503, title: 'Audit checkpoints need AUDIT_SIGNING_KEY on this service' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface FieldError {
  path: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly errors: FieldError[] | undefined;

  constructor(code: ErrorCode, detail: string, errors?: FieldError[]) {
    super(detail);
    this.name = 'DomainError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.title = ERROR_CATALOGUE[code].title;
    this.errors = errors;
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
