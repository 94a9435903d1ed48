import t from 'tap';
import { addDays, amsterdamDateOf, daysBetween, fixedClock, todayInAmsterdam } from '../../src/domain/clock.js';

// ---------------------------------------------------------------------------------------------
// todayInAmsterdam
// ---------------------------------------------------------------------------------------------

const amsterdamToday = (instant: string): string => todayInAmsterdam(fixedClock(instant));

t.test('in winter (UTC+1) the Amsterdam date turns at 23:00 UTC', async (t) => {
  t.equal(amsterdamToday('2026-02-14T22:59:59Z'), '2026-02-14');
  t.equal(amsterdamToday('2026-02-14T23:00:00Z'), '2026-02-15');
  t.equal(amsterdamToday('2026-02-14T23:30:00Z'), '2026-02-15');
  t.equal(amsterdamToday('2026-02-15T00:30:00Z'), '2026-02-15');
  t.equal(amsterdamToday('2026-02-15T22:59:59.999Z'), '2026-02-15');
});

t.test('in summer (UTC+2) the Amsterdam date turns at 22:00 UTC', async (t) => {
  t.equal(amsterdamToday('2026-07-14T21:59:59Z'), '2026-07-14');
  t.equal(amsterdamToday('2026-07-14T22:00:00Z'), '2026-07-15');
  t.equal(amsterdamToday('2026-07-14T23:30:00Z'), '2026-07-15');
  t.equal(amsterdamToday('2026-07-15T00:30:00Z'), '2026-07-15');
});

t.test('new year arrives in Amsterdam an hour before it does in UTC', async (t) => {
  t.equal(amsterdamToday('2025-12-31T22:59:59Z'), '2025-12-31');
  t.equal(amsterdamToday('2025-12-31T23:00:00Z'), '2026-01-01');
});

t.test('the days on which daylight saving time starts and ends still begin at local midnight', async (t) => {
  t.equal(amsterdamToday('2026-03-28T22:59:59Z'), '2026-03-28', 'the evening before summer time starts');
  t.equal(amsterdamToday('2026-03-28T23:00:00Z'), '2026-03-29', 'summer time starts on 2026-03-29');
  t.equal(amsterdamToday('2026-10-24T21:59:59Z'), '2026-10-24', 'the evening before winter time starts');
  t.equal(amsterdamToday('2026-10-24T22:00:00Z'), '2026-10-25', 'winter time starts on 2026-10-25');
});

t.test('a fixed clock accepts a Date and cannot be moved by mutating what it returns', async (t) => {
  const clock = fixedClock(new Date('2026-02-14T23:30:00Z'));
  clock.now().setUTCFullYear(1999);
  t.equal(clock.now().toISOString(), '2026-02-14T23:30:00.000Z');
  t.equal(todayInAmsterdam(clock), '2026-02-15');
  t.equal(amsterdamDateOf(new Date('2026-07-14T22:00:00Z')), '2026-07-15');
});


t.test('calendar days are added and counted across months, leap days, years and daylight saving changes', async (t) => {
  t.equal(addDays('2026-02-27', 2), '2026-03-01');
  t.equal(addDays('2028-02-28', 1), '2028-02-29');
  t.equal(addDays('2026-12-30', 3), '2027-01-02');
  t.equal(addDays('2026-03-01', -1), '2026-02-28');
  t.equal(daysBetween('2026-03-28', '2026-04-02'), 5, 'across the change to summer time');
  t.equal(daysBetween('2026-04-02', '2026-03-31'), -2);
  t.equal(daysBetween('2026-03-31', '2026-03-31'), 0);
});
