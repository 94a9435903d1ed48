import { DomainError } from '../../src/domain/errors.js';

/** What a call did, as plain data a test can compare with a literal: returned, or threw which error. */
export type Attempt =
  | { returned: unknown }
  | { threw: 'DomainError'; code: string; status: number }
  | { threw: 'Error'; message: string };

export function attempt(fn: () => unknown): Attempt {
  try {
    return { returned: fn() };
  } catch (error) {
    if (error instanceof DomainError) return { threw: 'DomainError', code: error.code, status: error.status };
    if (error instanceof Error) return { threw: 'Error', message: error.message };
    throw error;
  }
}

/** The attempt of a call refused with this catalogue code and status. */
export const refused = (code: string, status: number): Attempt => ({ threw: 'DomainError', code, status });

/** The attempt of a call that returned nothing and threw nothing. */
export const OK: Attempt = { returned: undefined };
