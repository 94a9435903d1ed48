import { DomainError } from '../domain/errors.js';
import { constraintName, errorChain, sqlState } from './transaction.js';

/**
 * Turns a constraint violation into the domain error it stands for, so that a race that only
 * the database catches still answers 409/400, never 500. Unknown errors are rethrown as they are.
 */
export function mapConstraintViolation(error: unknown): never {
  const state = sqlState(error);
  const constraint = constraintName(error);
  if (state === '23505') {
    if (constraint === 'programmes_code_key') {
      throw new DomainError('PROGRAMME_CODE_TAKEN', 'Another programme already uses this code.', [
        { path: '/code', message: 'is already in use' },
      ]);
    }
    if (constraint === 'decisions_reference_key') {
      throw new DomainError('DECISION_REFERENCE_TAKEN', 'Another decision already uses this reference.', [
        { path: '/reference', message: 'is already in use' },
      ]);
    }
    if (constraint === 'votes_decision_municipality_key') {
      throw new DomainError('VOTE_ALREADY_CAST', 'This municipality has already voted on this decision; votes are final.');
    }
    if (constraint === 'indicators_decision_code_key') {
      throw new DomainError('INDICATOR_CODE_TAKEN', 'The decision has an indicator with this code already.', [
        { path: '/code', message: 'is already in use on this decision' },
      ]);
    }
    if (constraint === 'statute_rules_version_key' || constraint === 'statute_rules_effective_from_key') {
      throw new DomainError('STATUTE_RULE_NOT_LATEST', 'Another statute rule was added at the same moment; a new rule must take effect after the latest one.', [
        { path: '/effectiveFrom', message: 'must be after the latest rule' },
      ]);
    }
    throw new DomainError('CONFLICT', 'The change conflicts with existing data.');
  }
  if (state === '23503') {
    throw new DomainError('REFERENCED_RESOURCE_NOT_FOUND', 'A referenced resource does not exist.');
  }
  if (state === '23514' && constraint === 'commitments_disbursed_within_amount') {
    // The backstop of the payment rule (see recordDisbursement): never more paid than committed.
    throw new DomainError('DISBURSEMENT_EXCEEDS_COMMITMENT', 'The payment would exceed what remains of the commitment.');
  }
  if (state === '23514' && constraint === 'commitments_final_amount_range') {
    throw new DomainError('AMOUNT_OUT_OF_RANGE', 'A final amount must lie between 0 and the committed amount.');
  }
  if (state === '23514' || state === '22P02' || state === '22003' || state === '22007' || state === '22008') {
    throw new DomainError('VALIDATION_FAILED', 'The input violates a rule of the register.');
  }
  throw error;
}

const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006', '57014']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * Whether a failure means the database is out of reach (down, restarting, refusing or dropping
 * connections, out of connection slots, a statement cancelled by a timeout), as PostgreSQL, pg,
 * Node.js or PGlite report it: the request may succeed when retried, so it answers 503.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined && UNAVAILABLE_STATES.has(state)) return true;
  for (const { code, message } of errorChain(error)) {
    if (typeof code === 'string' && UNAVAILABLE_NODE_CODES.has(code)) return true;
    if (
      typeof message === 'string' &&
      /(timeout exceeded when trying to connect|Connection terminated|database did not answer|Query read timeout|PGlite is closed|database is closed|is not queryable|after calling end on the pool)/i.test(message)
    ) {
      return true;
    }
  }
  return false;
}
