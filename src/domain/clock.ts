/**
 * The contract's "today" is the calendar date in Europe/Amsterdam. Every rule that depends
 * on the date takes a Clock so tests can pin it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock {
  const instant = typeof at === 'string' ? new Date(at) : at;
  return { now: () => new Date(instant.getTime()) };
}

const amsterdamDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** YYYY-MM-DD of the given instant in Europe/Amsterdam. */
export function amsterdamDateOf(instant: Date): string {
  return amsterdamDate.format(instant);
}

export function todayInAmsterdam(clock: Clock): string {
  return amsterdamDateOf(clock.now());
}

const DAY_MS = 86_400_000;
const utcDay = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

/** The calendar date `days` days after `date` (both `YYYY-MM-DD`). */
export function addDays(date: string, days: number): string {
  return new Date(utcDay(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (negative when `to` comes first). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcDay(to) - utcDay(from)) / DAY_MS);
}

/**
 * The first calendar date the register can hold as `YYYY-MM-DD`: the calendar has no year 0000,
 * so `0000-01-01`, though well-formed, is no date (and PostgreSQL refuses it).
 */
export const FIRST_CALENDAR_DATE = '0001-01-01';
