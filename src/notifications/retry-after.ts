/**
 * `Retry-After` (RFC 9110, section 10.2.3): delay-seconds or an HTTP-date, in any of the three
 * forms a recipient must accept (section 5.6.7): IMF-fixdate, the obsolete RFC 850 form and
 * ANSI C's asctime(), all in GMT. Returns the moment it names, or undefined when the value is
 * neither.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^${LONG_DAY}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

export function parseRetryAfter(value: string | null | undefined, now: Date): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isSafeInteger(seconds) ? new Date(now.getTime() + seconds * 1000) : undefined;
  }
  let match = IMF_FIXDATE.exec(trimmed);
  if (match) return utc(Number(match[3]), match[2]!, Number(match[1]), match.slice(4, 7));
  match = RFC_850.exec(trimmed);
  if (match) {
    // A two-digit year more than 50 years in the future is in the past century (section 5.6.7).
    let year = 2000 + Number(match[3]);
    if (year > now.getUTCFullYear() + 50) year -= 100;
    return utc(year, match[2]!, Number(match[1]), match.slice(4, 7));
  }
  match = ASCTIME.exec(trimmed);
  if (match) return utc(Number(match[6]), match[1]!, Number(match[2]!.trim()), match.slice(3, 6));
  return undefined;
}

function utc(year: number, month: string, day: number, [hours, minutes, seconds]: string[]): Date | undefined {
  const date = new Date(Date.UTC(year, MONTHS.indexOf(month), day, Number(hours), Number(minutes), Number(seconds)));
  // Reject 31 Feb and 25:00:00 rather than let Date roll them over.
  if (date.getUTCDate() !== day || date.getUTCHours() !== Number(hours) || date.getUTCMinutes() !== Number(minutes) || Number(seconds) > 60) {
    return undefined;
  }
  return date;
}
