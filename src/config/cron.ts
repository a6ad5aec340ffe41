/** The cron check of the schedule variables (variables.ts). */
import type { Check } from './parsers.js';

const CRON_FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** A standard 5-field cron expression: `*`, values, ranges, lists, steps and month/day names. */
export const checkCron: Check = {
  type: 'a 5-field cron expression',
  problem: (value) => {
    const parts = value.split(/\s+/);
    if (parts.length !== CRON_FIELDS.length) return 'must be a cron expression with 5 fields';
    for (const [index, spec] of CRON_FIELDS.entries()) {
      const part = parts[index] ?? '';
      const valid = part.split(',').every((item) => {
        const match = /^(?:\*|([a-z0-9]+)(?:-([a-z0-9]+))?)(?:\/(\d+))?$/i.exec(item);
        if (match === null || (match[3] !== undefined && Number(match[3]) < 1)) return false;
        if (match[1] === undefined) return true; // `*`
        const toNumber = (token: string): number => {
          const name = token.toLowerCase();
          const number = /^\d+$/.test(token) ? Number(token) : spec.names?.includes(name) ? spec.names.indexOf(name) + spec.min : NaN;
          return number >= spec.min && number <= spec.max ? number : NaN;
        };
        const low = toNumber(match[1]);
        const high = match[2] === undefined ? low : toNumber(match[2]);
        return low <= high; // false when either is NaN
      });
      if (!valid) return `has an invalid ${spec.name} field`;
    }
    return null;
  },
};
