/**
 * `frequence_entretien` of an equipment (docs/api.md §4.4, docs/domain.md §1): stored as a number of days
 * (`frequence_entretien_jours`, 1–3650), answered as a string of days.
 *
 * Input: an integer or a digit string (1–3650), or a label (trimmed, case-insensitive, accents
 * ignored). An empty (or blank) string and null mean "no frequency". Anything else is a 422
 * "Fréquence d'entretien invalide", never a 500 (legacy defect, docs/api.md §6 #9).
 */
import { AppError } from '../../lib/errors.js';

export const FREQUENCE_ENTRETIEN_MIN = 1;
export const FREQUENCE_ENTRETIEN_MAX = 3650;
export const FREQUENCE_ENTRETIEN_INVALIDE = "Fréquence d'entretien invalide";

/** Accepted labels (already lower-case and without accents) → days. */
export const FREQUENCE_ENTRETIEN_LABELS: Readonly<Record<string, number>> = Object.freeze({
  journalier: 1,
  daily: 1,
  hebdomadaire: 7,
  weekly: 7,
  bimensuel: 15,
  bimensuelle: 15,
  mensuel: 30,
  mensuelle: 30,
  monthly: 30,
  trimestriel: 90,
  trimestrielle: 90,
  quarterly: 90,
  semestriel: 180,
  semestrielle: 180,
  semiannual: 180,
  annuel: 365,
  annuelle: 365,
  yearly: 365,
});

/** Lower-case, trimmed, without diacritics (`Trimestriéllé` → `trimestrielle`). */
export function normaliseLabel(value: string): string {
  return value.trim().normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The 422 of an invalid frequency (also the answer to its CHECK constraint). */
export function frequenceEntretienInvalide(): AppError {
  return AppError.validation([{ loc: ['body', 'frequence_entretien'], msg: FREQUENCE_ENTRETIEN_INVALIDE, type: 'value' }], FREQUENCE_ENTRETIEN_INVALIDE);
}

function inRange(days: number): boolean {
  return Number.isSafeInteger(days) && days >= FREQUENCE_ENTRETIEN_MIN && days <= FREQUENCE_ENTRETIEN_MAX;
}

/**
 * Parses a `frequence_entretien` input into a number of days, or null (null, `""`, blank string).
 * Throws the 422 "Fréquence d'entretien invalide" for anything else (booleans, decimals, arrays,
 * out-of-range numbers, unknown labels…).
 */
export function parseFrequenceEntretien(value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === 'number') {
    if (!inRange(value)) throw frequenceEntretienInvalide();
    return value;
  }
  if (typeof value !== 'string') throw frequenceEntretienInvalide();
  const text = normaliseLabel(value);
  if (text === '') return null;
  if (/^[0-9]+$/.test(text)) {
    // Leading zeros are harmless ("030" = 30); a huge digit string is simply out of range.
    const digits = text.replace(/^0+(?=[0-9])/, '');
    const days = digits.length > 6 ? Number.POSITIVE_INFINITY : Number(digits);
    if (!inRange(days)) throw frequenceEntretienInvalide();
    return days;
  }
  const days = Object.hasOwn(FREQUENCE_ENTRETIEN_LABELS, text) ? FREQUENCE_ENTRETIEN_LABELS[text] : undefined;
  if (days === undefined) throw frequenceEntretienInvalide();
  return days;
}

/** The output form: the number of days as a string (`"30"`), or null. */
export function formatFrequenceEntretien(days: number | null): string | null {
  return days === null ? null : String(days);
}
