/**
 * Calendar arithmetic of preventive planning (docs/operations.md §6 "Calendar arithmetic"), pure
 * and without dependencies: time-zone offsets come from `Intl.DateTimeFormat` (Node's full ICU).
 *
 * - Steps: journalier 1 day, hebdomadaire 7 days, mensuel 1 month, trimestriel 3 months,
 *   semestriel 6 months, annuel 12 months.
 * - Occurrence k = anchor + k × step, computed on the anchor's local wall-clock time in the given
 *   zone, so 08:00 stays 08:00 across DST changes. A local time that does not exist (spring-forward
 *   gap) moves forward by the length of the gap; an ambiguous one (fall-back overlap) takes the
 *   earlier offset, i.e. the earlier instant (the "compatible" disambiguation of Temporal).
 * - Month steps clamp the day to the last day of the target month and never drift, because every
 *   occurrence is computed from the anchor (31 Jan → 28/29 Feb, 31 Mar, 30 Apr).
 */
import type { Frequence } from '../../db/schema.js';

export type { Frequence };

const STEPS: Readonly<Record<Frequence, { days: number } | { months: number }>> = {
  journalier: { days: 1 },
  hebdomadaire: { days: 7 },
  mensuel: { months: 1 },
  trimestriel: { months: 3 },
  semestriel: { months: 6 },
  annuel: { months: 12 },
};

/** Output labels of the legacy API (docs/api.md §4.6). */
const LABELS: Readonly<Record<Frequence, string>> = {
  journalier: 'journalier',
  hebdomadaire: 'hebdomadaire',
  mensuel: 'mensuelle',
  trimestriel: 'trimestrielle',
  semestriel: 'semestrielle',
  annuel: 'annuelle',
};

/** Accepted inputs, once trimmed, lower-cased and stripped of accents (docs/api.md §4.6). */
const ALIASES: Readonly<Record<string, Frequence>> = {
  journalier: 'journalier',
  journaliere: 'journalier',
  quotidien: 'journalier',
  quotidienne: 'journalier',
  daily: 'journalier',
  hebdomadaire: 'hebdomadaire',
  weekly: 'hebdomadaire',
  mensuel: 'mensuel',
  mensuelle: 'mensuel',
  monthly: 'mensuel',
  trimestriel: 'trimestriel',
  trimestrielle: 'trimestriel',
  quarterly: 'trimestriel',
  semestriel: 'semestriel',
  semestrielle: 'semestriel',
  semiannual: 'semestriel',
  'semi-annual': 'semestriel',
  annuel: 'annuel',
  annuelle: 'annuel',
  yearly: 'annuel',
  annual: 'annuel',
};

/** The stored frequency for an input (`" Mensuelle "`, `"Journalière"`, `"weekly"`), or null. */
export function normaliseFrequence(input: unknown): Frequence | null {
  if (typeof input !== 'string') return null;
  const key = input
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '');
  return Object.hasOwn(ALIASES, key) ? (ALIASES[key] ?? null) : null;
}

/** The legacy output label of a stored frequency (`mensuel` → `mensuelle`). */
export function frequenceLabel(stored: Frequence): string {
  return LABELS[stored];
}

// --- time zones ----------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at the instant `epochMs`, in milliseconds (local − UTC). */
export function timeZoneOffset(epochMs: number, timeZone: string): number {
  const seconds = Math.floor(epochMs / 1000) * 1000;
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(seconds))) parts[part.type] = part.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const local = utc(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return local - seconds;
}

/** A wall-clock time, as the UTC fields of a Date (`Date.UTC(y, m, d, h, mi, s, ms)`). */
function wallClock(epochMs: number, timeZone: string): number {
  return epochMs + timeZoneOffset(epochMs, timeZone);
}

const DAY_MS = 86_400_000;

/**
 * The instant at which the zone's clocks show `wall` (UTC fields of a Date). In a gap, the time
 * moves forward by the gap (the offset in force before the transition applies); in an overlap, the
 * earlier instant is taken.
 */
export function zonedWallClockToInstant(wall: number, timeZone: string): number {
  const before = timeZoneOffset(wall - DAY_MS, timeZone);
  const after = timeZoneOffset(wall + DAY_MS, timeZone);
  const candidates = [...new Set([wall - before, wall - after])].filter((t) => t + timeZoneOffset(t, timeZone) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  // Non-existent local time (a gap): read it with the offset before the transition.
  return wall - before;
}

/** `Date.UTC` without its mapping of years 0–99 to 1900–1999. */
function utc(year: number, monthIndex: number, day: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(utc(year, monthIndex + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

/** Occurrence k of a series anchored at `anchor`: anchor + k × step, in `timeZone` (k may be negative). */
export function addPeriods(anchor: Date, frequence: Frequence, k: number, timeZone: string): Date {
  if (!Number.isInteger(k)) throw new RangeError(`k must be an integer: ${k}`);
  const step = STEPS[frequence];
  const local = new Date(wallClock(anchor.getTime(), timeZone));
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const day = local.getUTCDate();
  const time = [local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds(), local.getUTCMilliseconds()] as const;
  let target: number;
  if ('days' in step) {
    target = utc(year, month, day + k * step.days, ...time);
  } else {
    const totalMonths = year * 12 + month + k * step.months;
    const targetYear = Math.floor(totalMonths / 12);
    const targetMonth = totalMonths - targetYear * 12;
    target = utc(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)), ...time);
  }
  return new Date(zonedWallClockToInstant(target, timeZone));
}

/** Average step length, to start the searches near the answer. */
function approximateStepMs(frequence: Frequence): number {
  const step = STEPS[frequence];
  return 'days' in step ? step.days * DAY_MS : step.months * 30.436875 * DAY_MS;
}

/** The smallest k ≥ 0 whose occurrence is strictly after `after`. */
function firstIndexAfter(anchor: Date, frequence: Frequence, after: Date, timeZone: string): number {
  const limit = after.getTime();
  let k = Math.max(0, Math.floor((limit - anchor.getTime()) / approximateStepMs(frequence)));
  while (k > 0 && addPeriods(anchor, frequence, k - 1, timeZone).getTime() > limit) k--;
  while (addPeriods(anchor, frequence, k, timeZone).getTime() <= limit) k++;
  return k;
}

/** The first occurrence (anchor included) strictly after `after`. */
export function nextOccurrenceAfter(anchor: Date, frequence: Frequence, after: Date, timeZone: string): Date {
  return addPeriods(anchor, frequence, firstIndexAfter(anchor, frequence, after, timeZone), timeZone);
}

/**
 * The latest occurrence (anchor included) at or before `limit`, with its index; null when even the
 * anchor is after `limit`. (The scheduler's "latest occurrence ≤ now + lead".)
 */
export function latestOccurrenceAtOrBefore(anchor: Date, frequence: Frequence, limit: Date, timeZone: string): { k: number; date: Date } | null {
  const k = firstIndexAfter(anchor, frequence, limit, timeZone) - 1;
  return k < 0 ? null : { k, date: addPeriods(anchor, frequence, k, timeZone) };
}
