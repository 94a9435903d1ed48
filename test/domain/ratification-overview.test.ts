import t from 'tap';
import { daysLeft, dueSoonUntil, parseReminderDays, ratificationState, reminderDayFor } from '../../src/domain/ratification-overview.js';

t.test('days left count calendar days, across month, year and daylight saving changes', async (t) => {
  t.equal(daysLeft('2026-03-17', '2026-03-31'), 14);
  t.equal(daysLeft('2026-03-28', '2026-04-02'), 5, 'across the change to summer time');
  t.equal(daysLeft('2026-12-30', '2027-01-02'), 3);
  t.equal(daysLeft('2026-04-02', '2026-03-31'), -2);
  t.equal(daysLeft('2026-03-31', '2026-03-31'), 0);
  t.equal(daysLeft('2026-03-31', null), null);
  t.equal(dueSoonUntil('2026-03-17', [3, 14]), '2026-03-31');
  t.equal(dueSoonUntil('2026-03-17', []), '2026-03-17');
});

t.test('the state: voted first, then overdue after the due date, due soon within the largest reminder day, else awaiting', async (t) => {
  const days = [14, 3];
  const cases: [boolean, string | null, string, string][] = [
    [true, '2026-03-01', '2026-04-01', 'voted'],
    [false, '2026-03-31', '2026-04-01', 'overdue'],
    [false, '2026-03-31', '2026-03-31', 'due_soon'],
    [false, '2026-03-31', '2026-03-17', 'due_soon'],
    [false, '2026-03-31', '2026-03-16', 'awaiting'],
    [false, null, '2026-03-16', 'awaiting'],
    [true, null, '2026-03-16', 'voted'],
  ];
  for (const [voted, dueDate, today, state] of cases) t.equal(ratificationState({ voted, dueDate }, today, days), state, `${voted} ${dueDate} on ${today}`);
});

t.test('the reminder day that applies is the smallest at or above the days left', async (t) => {
  const days = [14, 3];
  const cases: [number | null, number | undefined][] = [[20, undefined], [15, undefined], [14, 14], [4, 14], [3, 3], [0, 3], [-1, undefined], [null, undefined]];
  for (const [left, day] of cases) t.equal(reminderDayFor(left, days), day, `${left} days left`);
  t.equal(reminderDayFor(5, []), undefined);
});

t.test('RATIFICATION_REMINDER_DAYS: whole days 0..365, at most 10, no repeats, largest first', async (t) => {
  t.same(parseReminderDays('14,3'), [14, 3]);
  t.same(parseReminderDays(' 3 , 14 ,0'), [14, 3, 0]);
  t.same(parseReminderDays('7'), [7]);
  for (const [text, error] of [
    ['', /"" is not a whole number/],
    ['14,,3', /"" is not a whole number/],
    ['14;3', /"14;3" is not/],
    ['-1', /"-1" is not/],
    ['366', /"366" is not/],
    ['1.5', /"1.5" is not/],
    ['3,3', /lists 3 twice/],
    ['1,2,3,4,5,6,7,8,9,10,11', /at most 10/],
  ] as const) {
    t.match(parseReminderDays(text), { error }, JSON.stringify(text));
  }
});
