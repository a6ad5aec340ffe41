/**
 * Shared pieces of every list endpoint (docs/api.md §1 "Lists"): `limit`/`offset`/`sort` query schemas,
 * the sort parser (allow-list → SQL, `id` ascending as the final tie-breaker), query booleans,
 * enum filters, timestamp filters and ILIKE escaping. The count + page runner is src/db/paging.ts,
 * the HTTP side (comma lists, `X-Total-Count`) src/http/lists.ts.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { Expression } from 'kysely';
import { AppError, type ValidationIssue } from './errors.js';

export const MAX_LIMIT = 500;

// --- query schemas -------------------------------------------------------------------------------

/** A string schema restricted to `values`, validated as a JSON-schema `enum` (one clear 422 message). */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * A property the client may omit because the validator fills in its `default` (Ajv `useDefaults`):
 * optional in the OpenAPI document (not `required`), always present in the handler, hence the
 * non-optional static type (docs/api.md §1 "Lists", §8).
 */
export function Defaulted<T extends TSchema>(schema: T): T {
  return Type.Optional(schema) as unknown as T;
}

/** `limit` (1–500) with the route's default: 50 where the legacy service paginated, else 500. */
export function LimitQuery(defaultLimit: number) {
  return Defaulted(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: defaultLimit, description: `Nombre maximal de lignes (1–${MAX_LIMIT})` }));
}

export const OffsetQuery = Defaulted(Type.Integer({ minimum: 0, default: 0, description: 'Nombre de lignes à sauter' }));

export function SortQuery(fields: readonly string[], defaultSort: string) {
  return Type.String({
    maxLength: 200,
    description: `Champs séparés par des virgules, préfixe \`-\` pour l'ordre décroissant. Champs : ${fields.join(', ')}. Défaut : ${defaultSort}`,
  });
}

/** The `limit`, `offset` and `sort` properties, to spread into a route's querystring `Type.Object`. */
export function paginationQuery(options: { defaultLimit: number; sortFields: readonly string[]; defaultSort: string }) {
  return {
    limit: LimitQuery(options.defaultLimit),
    offset: OffsetQuery,
    sort: Type.Optional(SortQuery(options.sortFields, options.defaultSort)),
  };
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };

/** `[tT][rR][uU][eE]`: a case-insensitive literal for a JSON-schema pattern (which has no flags). */
function caseInsensitive(word: string): string {
  return [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');
}

/** A query boolean: true/false/1/0/yes/no/on/off (case-insensitive). Read it with `parseQueryBoolean`. */
export const QueryBoolean = Type.String({
  pattern: `^(?:${Object.keys(BOOLEAN_WORDS).map(caseInsensitive).join('|')})$`,
  description: 'true/false, 1/0, yes/no, on/off',
});

export function parseQueryBoolean(value: string): boolean;
export function parseQueryBoolean(value: string | undefined): boolean | undefined;
export function parseQueryBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const parsed = BOOLEAN_WORDS[value.toLowerCase()];
  if (parsed === undefined) throw AppError.validation([{ loc: ['query'], msg: 'Booléen invalide', type: 'type' }]);
  return parsed;
}

/** An enum filter: a repeated parameter or a comma list (`statut=a,b`), once `splitCommaLists` has run. */
export function EnumListQuery<const T extends readonly string[]>(values: T) {
  return Type.Array(StringEnum(values), { maxItems: 50, description: `Une ou plusieurs valeurs (paramètre répété ou liste séparée par des virgules) : ${values.join(', ')}` });
}

/** A timestamp filter: ISO-8601, with or without an offset (UTC when absent), or a date (00:00 UTC). */
export const QueryTimestamp = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}(?:[Tt ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:[Zz]|[+-]\\d{2}(?::?\\d{2})?)?)?$',
  description: 'Date ISO-8601 (sans décalage = UTC ; une date seule = 00:00 UTC)',
});

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Parses a timestamp input (docs/domain.md §1); null when it is not a real date and time. */
export function parseTimestamp(value: string): Date | null {
  const m = TIMESTAMP.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', offset = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offsetMinutes = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const time = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s), ms) - offsetMinutes * 60_000;
  return new Date(time);
}

/**
 * The one reading of a timestamp input, for every module: the instant, or undefined after pushing
 * the 422 issue "Date invalide" at `loc` (collected with the request's other issues).
 */
export function readTimestamp(value: string, loc: ValidationIssue['loc'], issues: ValidationIssue[]): Date | undefined {
  const parsed = parseTimestamp(value);
  if (parsed) return parsed;
  issues.push({ loc, msg: 'Date invalide', type: 'format' });
  return undefined;
}

/** `readTimestamp` when the date is the only thing checked: its 422 is thrown at once. */
export function requireTimestamp(value: string, loc: ValidationIssue['loc']): Date {
  const issues: ValidationIssue[] = [];
  const parsed = readTimestamp(value, loc, issues);
  if (!parsed) throw AppError.validation(issues);
  return parsed;
}

/** An optional timestamp filter of the query string: 422 at `['query', name]` when invalid. */
export function parseQueryTimestamp(name: string, value: string | undefined): Date | undefined {
  return value === undefined ? undefined : requireTimestamp(value, ['query', name]);
}

// --- sort ----------------------------------------------------------------------------------------

/** A SQL column reference (`'u.username'`) or an expression (`sql\`lower(u.username)\``). */
export type SortColumn = string | Expression<unknown>;

export interface SortTerm {
  field: string;
  column: SortColumn;
  direction: 'asc' | 'desc';
}

export interface SortSpec {
  /** Allowed API field → SQL column. */
  fields: Readonly<Record<string, SortColumn>>;
  /** Used when `sort` is absent or empty, e.g. `'id'` or `'-created_at'`. */
  defaultSort: string;
  /** Tie-breaker column, always appended ascending; defaults to `fields.id`, else `'id'`. */
  idColumn?: SortColumn;
}

/**
 * Parses `sort` (`-created_at,username`) against the allow-list. An unknown field → 422 at
 * `['query', 'sort']`. The id (ascending) is appended unless the list already orders by id.
 */
export function parseSort(raw: string | undefined, spec: SortSpec): SortTerm[] {
  const text = raw === undefined || raw.trim() === '' ? spec.defaultSort : raw;
  const terms: SortTerm[] = [];
  const unknown: string[] = [];
  for (const part of text.split(',')) {
    const token = part.trim();
    if (token === '') continue;
    const descending = token.startsWith('-');
    const field = descending ? token.slice(1).trim() : token;
    const column = Object.hasOwn(spec.fields, field) ? spec.fields[field] : undefined;
    if (column === undefined) {
      unknown.push(field);
      continue;
    }
    if (terms.some((term) => term.field === field)) continue;
    terms.push({ field, column, direction: descending ? 'desc' : 'asc' });
  }
  if (unknown.length > 0) {
    throw AppError.validation([
      {
        loc: ['query', 'sort'],
        msg: `Champ de tri inconnu : ${unknown.join(', ')}. Champs acceptés : ${Object.keys(spec.fields).join(', ')}`,
        type: 'enum',
      },
    ]);
  }
  const idColumn = spec.idColumn ?? spec.fields.id ?? 'id';
  if (!terms.some((term) => term.field === 'id' || term.column === idColumn)) {
    terms.push({ field: 'id', column: idColumn, direction: 'asc' });
  }
  return terms;
}

// --- search --------------------------------------------------------------------------------------

/** Escapes `\`, `%` and `_` so that user input matches literally in LIKE / ILIKE (escape char `\`). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `%value%`, escaped: a case-insensitive substring search with ILIKE. */
export function containsPattern(value: string): string {
  return `%${escapeLike(value)}%`;
}

/** `value%`, escaped: a prefix search with LIKE. */
export function prefixPattern(value: string): string {
  return `${escapeLike(value)}%`;
}
