import { DomainError } from './errors.js';

/**
 * Money is an integer number of euro cents. Amounts in the API are bounded so that any sum
 * the service computes stays within Number.MAX_SAFE_INTEGER; sums are still done in bigint
 * so an overflow is detected instead of silently rounded.
 */
export type Cents = number;

/** Largest single amount accepted: EUR 10 billion, far above any ESZL contribution. */
export const MAX_AMOUNT_CENTS = 1_000_000_000_000;

export function sumCents(amounts: readonly Cents[]): Cents {
  let total = 0n;
  for (const amount of amounts) {
    if (!Number.isSafeInteger(amount)) {
      throw new DomainError('AMOUNT_OUT_OF_RANGE', `${amount} is not an integer number of cents.`);
    }
    total += BigInt(amount);
  }
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DomainError('AMOUNT_OUT_OF_RANGE', 'The total amount is too large.');
  }
  return Number(total);
}

/** `EUR 1,234.56 (123456 cents)`: how a problem's detail names an amount, exact to the cent. */
export function describeCents(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = BigInt(Math.abs(cents));
  const euros = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = (abs % 100n).toString().padStart(2, '0');
  return `${sign}EUR ${euros}.${rest} (${cents} cents)`;
}
