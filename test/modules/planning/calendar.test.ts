import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addPeriods,
  frequenceLabel,
  latestOccurrenceAtOrBefore,
  nextOccurrenceAfter,
  normaliseFrequence,
  timeZoneOffset,
  zonedWallClockToInstant,
  type Frequence,
} from '../../../src/modules/planning/calendar.js';

const PARIS = 'Europe/Paris';
const CASABLANCA = 'Africa/Casablanca';

/** The wall-clock time and offset shown in `timeZone` at `date`: `2026-02-28 08:00 +00:00`. */
function local(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${offset}`;
}

function series(anchor: string, frequence: Frequence, count: number, timeZone: string): string[] {
  return Array.from({ length: count }, (_, k) => addPeriods(new Date(anchor), frequence, k, timeZone).toISOString());
}

describe('normaliseFrequence', () => {
  const table: Record<Frequence, string[]> = {
    journalier: ['journalier', 'journaliere', 'quotidien', 'quotidienne', 'daily'],
    hebdomadaire: ['hebdomadaire', 'weekly'],
    mensuel: ['mensuel', 'mensuelle', 'monthly'],
    trimestriel: ['trimestriel', 'trimestrielle', 'quarterly'],
    semestriel: ['semestriel', 'semestrielle', 'semiannual', 'semi-annual'],
    annuel: ['annuel', 'annuelle', 'yearly', 'annual'],
  };

  test('every alias of the table maps to its stored value', () => {
    for (const [stored, inputs] of Object.entries(table)) {
      for (const input of inputs) assert.equal(normaliseFrequence(input), stored, input);
    }
  });

  test('trimmed, case-insensitive, accents stripped (composed and decomposed)', () => {
    assert.equal(normaliseFrequence('  Mensuelle \t'), 'mensuel');
    assert.equal(normaliseFrequence('JOURNALIÈRE'), 'journalier');
    assert.equal(normaliseFrequence('Journalière'), 'journalier');
    assert.equal(normaliseFrequence('journalie\u0300re'), 'journalier');
    assert.equal(normaliseFrequence('Semi-Annual'), 'semestriel');
    assert.equal(normaliseFrequence('WEEKLY'), 'hebdomadaire');
  });

  test('unknown values, empty strings and non-strings → null', () => {
    for (const input of ['', '   ', 'bimensuel', 'mensuels', 'semi annual', 'semi_annual', 'toString', '__proto__', 'hourly', 'mensuel,annuel']) {
      assert.equal(normaliseFrequence(input), null, JSON.stringify(input));
    }
    assert.equal(normaliseFrequence(30), null);
    assert.equal(normaliseFrequence(null), null);
    assert.equal(normaliseFrequence(undefined), null);
  });
});

test('frequenceLabel: the legacy output labels', () => {
  assert.deepEqual(
    (['journalier', 'hebdomadaire', 'mensuel', 'trimestriel', 'semestriel', 'annuel'] as const).map(frequenceLabel),
    ['journalier', 'hebdomadaire', 'mensuelle', 'trimestrielle', 'semestrielle', 'annuelle'],
  );
});

describe('month steps clamp to the end of the month without drifting', () => {
  test('31 Jan 08:00 monthly → 28 Feb, 31 Mar, 30 Apr, 31 May (UTC)', () => {
    assert.deepEqual(series('2026-01-31T08:00:00Z', 'mensuel', 5, 'UTC'), [
      '2026-01-31T08:00:00.000Z',
      '2026-02-28T08:00:00.000Z',
      '2026-03-31T08:00:00.000Z',
      '2026-04-30T08:00:00.000Z',
      '2026-05-31T08:00:00.000Z',
    ]);
  });

  test('31 Jan 08:00 monthly in a leap year → 29 Feb', () => {
    assert.deepEqual(series('2028-01-31T08:00:00Z', 'mensuel', 4, 'UTC'), [
      '2028-01-31T08:00:00.000Z',
      '2028-02-29T08:00:00.000Z',
      '2028-03-31T08:00:00.000Z',
      '2028-04-30T08:00:00.000Z',
    ]);
  });

  test('31 Jan 08:00 Casablanca (2026): 08:00 local every month, including 28 Feb during the Ramadan offset (+00)', () => {
    const anchor = new Date('2026-01-31T07:00:00Z');
    assert.equal(local(anchor, CASABLANCA), '2026-01-31 08:00 +01:00');
    const occurrences = [1, 2, 3].map((k) => addPeriods(anchor, 'mensuel', k, CASABLANCA));
    assert.deepEqual(
      occurrences.map((d) => local(d, CASABLANCA)),
      ['2026-02-28 08:00 +00:00', '2026-03-31 08:00 +01:00', '2026-04-30 08:00 +01:00'],
    );
    assert.deepEqual(
      occurrences.map((d) => d.toISOString()),
      ['2026-02-28T08:00:00.000Z', '2026-03-31T07:00:00.000Z', '2026-04-30T07:00:00.000Z'],
    );
  });

  test('31 Jan 08:00 Casablanca in the leap year 2028 → 29 Feb 08:00 local', () => {
    const anchor = zonedWallClockToInstant(Date.UTC(2028, 0, 31, 8), CASABLANCA);
    assert.equal(local(addPeriods(new Date(anchor), 'mensuel', 1, CASABLANCA), CASABLANCA).slice(0, 16), '2028-02-29 08:00');
  });

  test('no drift over two years: each day is min(31, days in month), computed from the anchor', () => {
    const anchor = new Date('2026-01-31T08:00:00Z');
    for (let k = 0; k <= 24; k++) {
      const d = addPeriods(anchor, 'mensuel', k, 'UTC');
      const month = (0 + k) % 12;
      const year = 2026 + Math.floor(k / 12);
      const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
      assert.equal(d.getUTCDate(), Math.min(31, last), `k=${k}`);
      assert.equal(d.getUTCMonth(), month, `k=${k}`);
      assert.equal(d.getUTCHours(), 8);
    }
  });

  test('quarterly from 30 Nov and semi-annual from 31 Aug', () => {
    assert.deepEqual(series('2025-11-30T06:00:00Z', 'trimestriel', 5, 'UTC'), [
      '2025-11-30T06:00:00.000Z',
      '2026-02-28T06:00:00.000Z',
      '2026-05-30T06:00:00.000Z',
      '2026-08-30T06:00:00.000Z',
      '2026-11-30T06:00:00.000Z',
    ]);
    assert.deepEqual(series('2026-08-31T06:00:00Z', 'semestriel', 4, 'UTC'), [
      '2026-08-31T06:00:00.000Z',
      '2027-02-28T06:00:00.000Z',
      '2027-08-31T06:00:00.000Z',
      '2028-02-29T06:00:00.000Z',
    ]);
  });

  test('annual from 29 Feb → 28 Feb in other years, 29 Feb again 4 years later', () => {
    assert.deepEqual(series('2024-02-29T08:00:00Z', 'annuel', 6, 'UTC'), [
      '2024-02-29T08:00:00.000Z',
      '2025-02-28T08:00:00.000Z',
      '2026-02-28T08:00:00.000Z',
      '2027-02-28T08:00:00.000Z',
      '2028-02-29T08:00:00.000Z',
      '2029-02-28T08:00:00.000Z',
    ]);
  });

  test('negative k counts backwards from the anchor', () => {
    assert.equal(addPeriods(new Date('2026-03-31T08:00:00Z'), 'mensuel', -1, 'UTC').toISOString(), '2026-02-28T08:00:00.000Z');
    assert.equal(addPeriods(new Date('2026-01-15T08:00:00Z'), 'annuel', -2, 'UTC').toISOString(), '2024-01-15T08:00:00.000Z');
  });

  test('k must be an integer', () => {
    assert.throws(() => addPeriods(new Date('2026-01-01T00:00:00Z'), 'mensuel', 1.5, 'UTC'), RangeError);
  });
});

describe('day steps keep the local wall-clock time across DST (Europe/Paris, 2026)', () => {
  test('weekly 08:00 across spring-forward (29 Mar): 07:00Z then 06:00Z', () => {
    const occurrences = series('2026-03-21T07:00:00Z', 'hebdomadaire', 3, PARIS);
    assert.deepEqual(occurrences, ['2026-03-21T07:00:00.000Z', '2026-03-28T07:00:00.000Z', '2026-04-04T06:00:00.000Z']);
    assert.deepEqual(
      occurrences.map((d) => local(new Date(d), PARIS)),
      ['2026-03-21 08:00 +01:00', '2026-03-28 08:00 +01:00', '2026-04-04 08:00 +02:00'],
    );
  });

  test('daily 08:00 across spring-forward and fall-back', () => {
    assert.deepEqual(series('2026-03-28T07:00:00Z', 'journalier', 3, PARIS), ['2026-03-28T07:00:00.000Z', '2026-03-29T06:00:00.000Z', '2026-03-30T06:00:00.000Z']);
    assert.deepEqual(series('2026-10-24T06:00:00Z', 'journalier', 3, PARIS), ['2026-10-24T06:00:00.000Z', '2026-10-25T07:00:00.000Z', '2026-10-26T07:00:00.000Z']);
    assert.equal(local(addPeriods(new Date('2026-10-20T06:00:00Z'), 'hebdomadaire', 1, PARIS), PARIS), '2026-10-27 08:00 +01:00');
  });

  test('gap: 02:30 on the spring-forward day does not exist → 03:30 CEST (forward by the one-hour gap)', () => {
    const anchor = new Date('2026-03-28T01:30:00Z');
    assert.equal(local(anchor, PARIS), '2026-03-28 02:30 +01:00');
    const inGap = addPeriods(anchor, 'journalier', 1, PARIS);
    assert.equal(inGap.toISOString(), '2026-03-29T01:30:00.000Z');
    assert.equal(local(inGap, PARIS), '2026-03-29 03:30 +02:00');
    // The next day is 02:30 again: the anchor is the reference, not the shifted occurrence.
    assert.equal(local(addPeriods(anchor, 'journalier', 2, PARIS), PARIS), '2026-03-30 02:30 +02:00');
  });

  test('overlap: 02:30 on the fall-back day is ambiguous → the earlier offset (CEST, +02:00)', () => {
    const anchor = new Date('2026-10-24T00:30:00Z');
    assert.equal(local(anchor, PARIS), '2026-10-24 02:30 +02:00');
    const ambiguous = addPeriods(anchor, 'journalier', 1, PARIS);
    assert.equal(ambiguous.toISOString(), '2026-10-25T00:30:00.000Z');
    assert.equal(local(ambiguous, PARIS), '2026-10-25 02:30 +02:00');
    assert.equal(addPeriods(anchor, 'journalier', 2, PARIS).toISOString(), '2026-10-26T01:30:00.000Z');
  });

  test('zonedWallClockToInstant: plain, gap and overlap', () => {
    assert.equal(new Date(zonedWallClockToInstant(Date.UTC(2026, 6, 1, 8), PARIS)).toISOString(), '2026-07-01T06:00:00.000Z');
    assert.equal(new Date(zonedWallClockToInstant(Date.UTC(2026, 2, 29, 2, 0), PARIS)).toISOString(), '2026-03-29T01:00:00.000Z');
    assert.equal(new Date(zonedWallClockToInstant(Date.UTC(2026, 9, 25, 2, 0), PARIS)).toISOString(), '2026-10-25T00:00:00.000Z');
    assert.equal(new Date(zonedWallClockToInstant(Date.UTC(2026, 9, 25, 3, 0), PARIS)).toISOString(), '2026-10-25T02:00:00.000Z');
  });
});

describe('Africa/Casablanca (the default APP_TIMEZONE): the Ramadan offset changes of tzdata', () => {
  // tzdata: +01 all year since 2018, except +00 during Ramadan; in 2026 from 15 Feb 03:00 (back
  // to 02:00) to 22 Mar 02:00 (forward to 03:00).
  test('the offsets the tests rely on', () => {
    assert.equal(timeZoneOffset(Date.parse('2026-02-14T12:00:00Z'), CASABLANCA), 3_600_000);
    assert.equal(timeZoneOffset(Date.parse('2026-03-01T12:00:00Z'), CASABLANCA), 0);
    assert.equal(timeZoneOffset(Date.parse('2026-03-23T12:00:00Z'), CASABLANCA), 3_600_000);
    // Historical summer time (2013: +01 in summer, suspended during Ramadan).
    assert.equal(timeZoneOffset(Date.parse('2013-06-01T12:00:00Z'), CASABLANCA), 3_600_000);
    assert.equal(timeZoneOffset(Date.parse('2013-07-20T12:00:00Z'), CASABLANCA), 0);
    assert.equal(timeZoneOffset(Date.parse('2013-12-01T12:00:00Z'), CASABLANCA), 0);
  });

  test('weekly 08:00 across both changes keeps 08:00 local', () => {
    const occurrences = series('2026-02-08T07:00:00Z', 'hebdomadaire', 8, CASABLANCA).map((d) => new Date(d));
    assert.ok(occurrences.every((d) => local(d, CASABLANCA).slice(11, 16) === '08:00'));
    assert.deepEqual(
      occurrences.map((d) => d.toISOString().slice(0, 16)),
      ['2026-02-08T07:00', '2026-02-15T08:00', '2026-02-22T08:00', '2026-03-01T08:00', '2026-03-08T08:00', '2026-03-15T08:00', '2026-03-22T07:00', '2026-03-29T07:00'],
    );
  });

  test('historical summer time (2013): daily 08:00 across the end of summer time', () => {
    // 27 Oct 2013 03:00 +01 → 02:00 +00.
    assert.deepEqual(series('2013-10-26T07:00:00Z', 'journalier', 2, CASABLANCA), ['2013-10-26T07:00:00.000Z', '2013-10-27T08:00:00.000Z']);
  });

  test('gap (22 Mar 2026 02:30 does not exist) and overlap (15 Feb 2026 02:30 happens twice)', () => {
    const gap = addPeriods(new Date('2026-03-21T02:30:00Z'), 'journalier', 1, CASABLANCA);
    assert.equal(local(gap, CASABLANCA), '2026-03-22 03:30 +01:00');
    assert.equal(gap.toISOString(), '2026-03-22T02:30:00.000Z');
    const overlap = addPeriods(new Date('2026-02-14T01:30:00Z'), 'journalier', 1, CASABLANCA);
    assert.equal(local(overlap, CASABLANCA), '2026-02-15 02:30 +01:00');
    assert.equal(overlap.toISOString(), '2026-02-15T01:30:00.000Z');
  });
});

describe('nextOccurrenceAfter and latestOccurrenceAtOrBefore', () => {
  const anchor = new Date('2026-01-31T08:00:00Z');

  test('the first occurrence strictly after the instant, anchor included', () => {
    assert.equal(nextOccurrenceAfter(anchor, 'mensuel', new Date('2025-12-01T00:00:00Z'), 'UTC').toISOString(), '2026-01-31T08:00:00.000Z');
    assert.equal(nextOccurrenceAfter(anchor, 'mensuel', anchor, 'UTC').toISOString(), '2026-02-28T08:00:00.000Z');
    assert.equal(nextOccurrenceAfter(anchor, 'mensuel', new Date('2026-02-28T08:00:00Z'), 'UTC').toISOString(), '2026-03-31T08:00:00.000Z');
    assert.equal(nextOccurrenceAfter(anchor, 'mensuel', new Date('2026-02-28T07:59:59.999Z'), 'UTC').toISOString(), '2026-02-28T08:00:00.000Z');
  });

  test('far from the anchor, equal to addPeriods(k) for the right k (no drift)', () => {
    assert.equal(nextOccurrenceAfter(anchor, 'mensuel', new Date('2036-02-01T00:00:00Z'), 'UTC').toISOString(), '2036-02-29T08:00:00.000Z');
    assert.equal(
      nextOccurrenceAfter(anchor, 'journalier', new Date('2030-07-04T12:00:00Z'), PARIS).toISOString(),
      addPeriods(anchor, 'journalier', 1616, PARIS).toISOString(),
    );
    assert.equal(local(addPeriods(anchor, 'journalier', 1616, PARIS), PARIS), '2030-07-05 09:00 +02:00');
    assert.equal(nextOccurrenceAfter(new Date('2024-02-29T08:00:00Z'), 'annuel', new Date('2027-06-01T00:00:00Z'), 'UTC').toISOString(), '2028-02-29T08:00:00.000Z');
  });

  test('latest occurrence at or before a limit', () => {
    assert.equal(latestOccurrenceAtOrBefore(anchor, 'mensuel', new Date('2026-01-31T07:59:59Z'), 'UTC'), null);
    assert.deepEqual(latestOccurrenceAtOrBefore(anchor, 'mensuel', anchor, 'UTC'), { k: 0, date: anchor });
    assert.deepEqual(latestOccurrenceAtOrBefore(anchor, 'mensuel', new Date('2026-04-29T00:00:00Z'), 'UTC'), { k: 2, date: new Date('2026-03-31T08:00:00Z') });
    assert.deepEqual(latestOccurrenceAtOrBefore(anchor, 'hebdomadaire', new Date('2026-02-14T08:00:00Z'), 'UTC'), { k: 2, date: new Date('2026-02-14T08:00:00Z') });
  });
});
