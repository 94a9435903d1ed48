import type { Cents } from './money.js';

/**
 * How a Dutch municipality writes amounts, dates and lists in a letter. One choice, held
 * everywhere: a non-breaking space after the euro sign, so `€` never ends a line apart from its
 * amount (`€ 140.000,00`, with U+00A0), and a minus after the sign as Dutch spreadsheets show it
 * (`€ -1.250,00`).
 */
export const NBSP = '\u00a0';

const MONTHS = [
  'januari', 'februari', 'maart', 'april', 'mei', 'juni',
  'juli', 'augustus', 'september', 'oktober', 'november', 'december',
] as const;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `1234567` -> `1.234.567`: thousands grouped by points. */
export function formatInteger(value: number | bigint): string {
  const big = BigInt(value);
  const sign = big < 0n ? '-' : '';
  const digits = (big < 0n ? -big : big).toString();
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** `14000000` cents -> `€ 140.000,00`, exact to the cent (bigint: no float touches the amount). */
export function formatEuroCents(cents: Cents): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`${cents} is not an integer number of cents`);
  const big = BigInt(cents);
  const abs = big < 0n ? -big : big;
  const rest = (abs % 100n).toString().padStart(2, '0');
  return `€${NBSP}${big < 0n ? '-' : ''}${formatInteger(abs / 100n)},${rest}`;
}

/** A calendar year as written in a letter: `2026`, never grouped like an amount (`2.026`). */
export function formatYear(year: number): string {
  if (!Number.isInteger(year)) throw new RangeError(`${year} is not a year`);
  return String(year);
}

/** `2025-11-19` -> `19 november 2025` (no leading zero; month in lower case, as Dutch writes it). */
export function formatDutchDate(date: string): string {
  const [, year = '', month = '', day = ''] = DATE.exec(date) ?? [];
  const calendar = new Date(0);
  // setUTCFullYear takes years below 100 as they are (Date.UTC would add 1900) and rolls
  // 30 February over into March: a day that is not in its month is refused below.
  calendar.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  if (year === '' || calendar.getUTCMonth() !== Number(month) - 1 || calendar.getUTCDate() !== Number(day)) {
    throw new RangeError(`${date} is not a YYYY-MM-DD date`);
  }
  return `${Number(day)} ${MONTHS[calendar.getUTCMonth()]} ${Number(year)}`;
}

/** `['A', 'B', 'C']` -> `A, B en C` (the Dutch list has no comma before `en`). */
export function joinDutch(items: readonly string[], conjunction = 'en'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

/** `Gemeente Maastricht` -> `Maastricht`: the place a municipality's organisation name stands for. */
export function municipalityPlace(name: string): string {
  return name.replace(/^gemeente\s+/i, '');
}
