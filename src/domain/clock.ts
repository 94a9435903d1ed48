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

/**
 * The first calendar date the register can hold as `YYYY-MM-DD`: the calendar has no year 0000,
 * so `0000-01-01`, though well-formed, is no date (and PostgreSQL refuses it).
 */
export const FIRST_CALENDAR_DATE = '0001-01-01';
