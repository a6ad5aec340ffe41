/**
 * Parsers of the variable table (variables.ts). A parser turns the raw (trimmed, non-empty) string
 * into a value or throws InvalidValue; an unset or empty variable takes the fallback. On error the
 * fallback is used too, so that the remaining rules still run and every problem is reported at once.
 */

export class InvalidValue extends Error {
  /** The message already shows the offending part of the value (list entries). */
  constructor(message: string, readonly showsValue = false) {
    super(message);
  }
}

export interface Parser<T> {
  fallback: T;
  /** `secret`: never show the value, not even one entry of a list. */
  parse: (raw: string, secret: boolean) => T;
  /** The accepted values, for docs/configuration.md. */
  type: string;
}

/** A value check: `problem` returns the error message, or null when the value is acceptable. */
export interface Check {
  /** What is accepted, for docs/configuration.md. */
  type: string;
  problem: (value: string) => string | null;
}

/** Shortened so that a problem line stays readable. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

function parseInteger(raw: string, min: number, max: number): number {
  if (!/^[+-]?\d+$/.test(raw)) throw new InvalidValue('must be an integer');
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidValue(max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer between ${min} and ${max}`);
  }
  return value;
}

const integerType = (min: number, max: number): string => (max === Number.MAX_SAFE_INTEGER ? `integer >= ${min}` : `integer ${min}-${max}`);

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function parseBoolean(raw: string): boolean {
  const word = raw.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new InvalidValue('must be a boolean (true/false, 1/0, yes/no, on/off)');
}

function parseEnum<T extends string>(raw: string, values: readonly T[]): T {
  const value = values.find((candidate) => candidate === raw.toLowerCase());
  if (value === undefined) throw new InvalidValue(`must be one of ${values.join(', ')}`);
  return value;
}

function checked(raw: string, check: Check | undefined): string {
  const error = check?.problem(raw) ?? null;
  if (error !== null) throw new InvalidValue(error);
  return raw;
}

/** A JSON list of strings (`["a","b"]`) or a comma list (`a, b`); empty entries are dropped. */
function parseList(raw: string, check: Check | undefined, secret: boolean): string[] {
  let entries: string[];
  if (raw.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidValue('is not valid JSON (expected a JSON list of strings or a comma list)');
    }
    if (!Array.isArray(parsed) || !parsed.every((entry) => typeof entry === 'string')) {
      throw new InvalidValue('must be a JSON list of strings');
    }
    entries = parsed;
  } else {
    entries = raw.split(',');
  }
  entries = entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const error = check?.problem(entry) ?? null;
    if (error !== null) {
      throw new InvalidValue(`entry ${index + 1}${secret ? '' : ` (${quote(entry)})`} ${error}`, true);
    }
  });
  return entries;
}

const MAX = Number.MAX_SAFE_INTEGER;

export const int = (fallback: number, min = 0, max = MAX): Parser<number> => ({ fallback, parse: (raw) => parseInteger(raw, min, max), type: integerType(min, max) });
export const optionalInt = (min: number, max: number): Parser<number | null> => ({ fallback: null, parse: (raw) => parseInteger(raw, min, max), type: integerType(min, max) });
export const bool = (fallback: boolean): Parser<boolean> => ({ fallback, parse: parseBoolean, type: 'boolean' });
export const optionalBool = (): Parser<boolean | null> => ({ fallback: null, parse: parseBoolean, type: 'boolean' });
export const oneOf = <T extends string>(values: readonly T[], fallback: T): Parser<T> => ({ fallback, parse: (raw) => parseEnum(raw, values), type: values.join(' | ') });
export const optionalOneOf = <T extends string>(values: readonly T[]): Parser<T | null> => ({ fallback: null, parse: (raw) => parseEnum(raw, values), type: values.join(' | ') });
export const text = (fallback: string, check?: Check): Parser<string> => ({ fallback, parse: (raw) => checked(raw, check), type: check?.type ?? 'string' });
export const optionalText = (check?: Check): Parser<string | null> => ({ fallback: null, parse: (raw) => checked(raw, check), type: check?.type ?? 'string' });
export const list = (check?: Check): Parser<string[] | null> => ({
  fallback: null,
  parse: (raw, secret) => parseList(raw, check, secret),
  type: check === undefined ? 'list' : `list, each entry ${check.type}`,
});
