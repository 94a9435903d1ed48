/**
 * Where one college stands with one decision awaiting ratification, as the overview of
 * `GET /ratifications` and the reminders (`ratification.due_soon`) see it. `due_soon` starts at
 * the largest of the reminder days (RATIFICATION_REMINDER_DAYS) before the due date; after the
 * due date the decision is overdue by the one rule of `isRatificationOverdue`.
 */
import { addDays, daysBetween } from './clock.js';
import { isRatificationOverdue } from './ratification.js';

export const RATIFICATION_STATES = ['awaiting', 'due_soon', 'overdue', 'voted'] as const;
export type RatificationState = (typeof RATIFICATION_STATES)[number];

/** The reminder days when RATIFICATION_REMINDER_DAYS is not set. */
export const DEFAULT_REMINDER_DAYS = [14, 3] as const;

/** Calendar days from `today` to `dueDate` (negative once it has passed); null without a due date. */
export function daysLeft(today: string, dueDate: string | null): number | null {
  return dueDate === null ? null : daysBetween(today, dueDate);
}

/** The last due date that is due soon today: today plus the largest reminder day (today itself without any). */
export function dueSoonUntil(today: string, reminderDays: readonly number[]): string {
  return addDays(today, Math.max(0, ...reminderDays));
}

export function ratificationState(
  item: { voted: boolean; dueDate: string | null },
  today: string,
  reminderDays: readonly number[],
): RatificationState {
  if (item.voted) return 'voted';
  if (isRatificationOverdue('pending_ratification', item.dueDate, today)) return 'overdue';
  if (item.dueDate !== null && item.dueDate <= dueSoonUntil(today, reminderDays)) return 'due_soon';
  return 'awaiting';
}

/**
 * The reminder a college that has not voted gets `left` days before the due date: the smallest
 * reminder day at or above it, so each reminder day is raised at most once, and a decision
 * adopted with less time left than the first reminder gets only the one that still applies.
 * Undefined past the due date (overdue has its own event) or before the first reminder day.
 */
export function reminderDayFor(left: number | null, reminderDays: readonly number[]): number | undefined {
  if (left === null || left < 0) return undefined;
  const applying = reminderDays.filter((day) => day >= left);
  return applying.length === 0 ? undefined : Math.min(...applying);
}

/**
 * `14,3` as [14, 3]: whole numbers of days from 0 to 365, at most 10, no repeats; the error says
 * what is wrong with the value in one line.
 */
export function parseReminderDays(text: string): number[] | { error: string } {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length > 10) return { error: 'lists at most 10 days' };
  const days: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 365) return { error: `"${part}" is not a whole number of days from 0 to 365` };
    if (days.includes(Number(part))) return { error: `lists ${part} twice` };
    days.push(Number(part));
  }
  return days.sort((a, b) => b - a);
}
