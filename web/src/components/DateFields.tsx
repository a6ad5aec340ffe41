/**
 * Date fields as French users read and type them: `dd/MM/yyyy`, and `dd/MM/yyyy HH:mm` where a time
 * is needed (Mantine's DateInput, French through the DatesProvider of main.tsx). Their values keep
 * the shapes of the native inputs they replace, so the forms' conversions to the API are unchanged:
 * `YYYY-MM-DD` for a day, `YYYY-MM-DDTHH:mm` (wall time in APP_TIMEZONE, lib/format.ts) for a time.
 * Imported by screens only, so the pickers stay out of the first page's chunk.
 */
import '@mantine/dates/styles.css';
import { DateInput, type DateInputProps } from '@mantine/dates';
import 'dayjs/locale/fr';

type Props = Omit<DateInputProps, 'value' | 'onChange' | 'defaultValue' | 'valueFormat' | 'dateParser' | 'withTime'> & {
  value: string;
  onChange: (value: string) => void;
};

// Strict: a half-typed value (« 12/0 ») is no date yet, where `new Date()` would guess one.
const TYPED = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2})[:h](\d{2}))?\s*$/;

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** A typed `dd/MM/yyyy[ HH:mm]` as Mantine's value (`YYYY-MM-DD[ HH:mm:ss]`), null when not a real date. */
export function parseFrenchDate(text: string, withTime: boolean): string | null {
  const match = TYPED.exec(text);
  if (!match) return null;
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hours, minutes] = [Number(match[4] ?? 0), Number(match[5] ?? 0)];
  if (withTime && match[4] === undefined) return null;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  if (hours > 23 || minutes > 59) return null;
  const date = `${year}-${pad(month)}-${pad(day)}`;
  return withTime ? `${date} ${pad(hours)}:${pad(minutes)}:00` : date;
}

// French names for the calendar's buttons: axe wants a name on each, and the page is in French.
const CALENDAR_LABELS = {
  nextLabel: 'Mois suivant',
  previousLabel: 'Mois précédent',
  ariaLabels: {
    monthLevelControl: 'Choisir le mois',
    yearLevelControl: 'Choisir l’année',
    nextMonth: 'Mois suivant',
    previousMonth: 'Mois précédent',
    nextYear: 'Année suivante',
    previousYear: 'Année précédente',
    nextDecade: 'Décennie suivante',
    previousDecade: 'Décennie précédente',
  },
};

/** A day: `YYYY-MM-DD` or '' (emptied). */
export function DateField({ value, onChange, ...props }: Props) {
  return (
    <DateInput
      placeholder="jj/mm/aaaa"
      {...CALENDAR_LABELS}
      {...props}
      valueFormat="DD/MM/YYYY"
      dateParser={(text) => parseFrenchDate(text, false)}
      allowDeselect
      value={value || null}
      onChange={(next) => onChange(next ?? '')}
    />
  );
}

/**
 * A day and a time: `YYYY-MM-DDTHH:mm` or ''. A day picked in the calendar keeps the time already
 * there (Mantine gives the day alone), midnight when there was none.
 */
export function DateTimeField({ value, onChange, ...props }: Props) {
  const time = value ? value.slice(11, 16) : '00:00';
  return (
    <DateInput
      placeholder="jj/mm/aaaa hh:mm"
      {...CALENDAR_LABELS}
      {...props}
      withTime
      valueFormat="DD/MM/YYYY HH:mm"
      dateParser={(text) => parseFrenchDate(text, true)}
      allowDeselect
      value={value ? `${value.replace('T', ' ')}:00` : null}
      onChange={(next) => onChange(!next ? '' : next.length === 10 ? `${next}T${time}` : next.slice(0, 16).replace(' ', 'T'))}
    />
  );
}
