/** Dates as French users read them: `dd/MM/yyyy HH:mm` in the server's APP_TIMEZONE. */
import dayjs from 'dayjs';
import 'dayjs/locale/fr';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale('fr');

/** Written into the page by the server (src/plugins/web-app.ts); the default is the server's own. */
function appTimezone(): string {
  const value = document.querySelector<HTMLMetaElement>('meta[name="app-timezone"]')?.content;
  return value && !value.startsWith('__') ? value : 'Africa/Casablanca';
}

export const APP_TIMEZONE = appTimezone();

/**
 * One formatter for every date of the page: dayjs's `.tz()` builds a new one per call, which costs
 * tens of milliseconds on a list of 50 rows with two dates each.
 */
const DATE_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: APP_TIMEZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const parts: Record<string, string> = {};
  for (const part of DATE_TIME.formatToParts(new Date(value))) parts[part.type] = part.value;
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}`;
}

/** A `datetime-local` input's value (in APP_TIMEZONE) from an ISO timestamp, and back. */
export function toLocalInput(value: string | null | undefined): string {
  return value ? dayjs(value).tz(APP_TIMEZONE).format('YYYY-MM-DDTHH:mm') : '';
}

export function fromLocalInput(value: string): string | null {
  return value ? dayjs.tz(value, APP_TIMEZONE).toISOString() : null;
}

export function formatMinutes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const hours = Math.floor(value / 60);
  return hours > 0 ? `${hours} h ${String(value % 60).padStart(2, '0')}` : `${value} min`;
}

/** A file size as French users read it: « 1,2 Mo », « 830 ko ». */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 0 })} ko`;
  return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

/** A calendar date (`YYYY-MM-DD`, contracts) or a timestamp's day in APP_TIMEZONE, as `dd/MM/yyyy`. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayjs(value).format('DD/MM/YYYY') : dayjs(value).tz(APP_TIMEZONE).format('DD/MM/YYYY');
}

/** A `date` input's value (the day in APP_TIMEZONE) from a timestamp. */
export function toDateInput(value: string | null | undefined): string {
  return value ? dayjs(value).tz(APP_TIMEZONE).format('YYYY-MM-DD') : '';
}

export function formatMoney(value: number | null | undefined, devise = 'MAD'): string {
  return value === null || value === undefined ? '—' : `${value.toLocaleString('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${devise}`;
}
