/**
 * Password policy (docs/security.md §2). Every failing rule is reported, in the order of the spec's table;
 * the API answers 400 with `"Mot de passe invalide: " + messages.join('; ')` and `details: [codes]`.
 *
 * Passwords are checked as sent (no trimming, no case folding except for the `common` and containment
 * rules), after Unicode NFC normalisation; lengths are counted in code points.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../lib/errors.js';

export type PasswordRuleCode =
  | 'min_length'
  | 'max_length'
  | 'uppercase'
  | 'lowercase'
  | 'digit'
  | 'special'
  | 'common'
  | 'contains_username'
  | 'contains_email';

export interface PasswordPolicyOptions {
  /** PASSWORD_MIN_LENGTH; values below 8 (or not a finite number) are treated as 8. */
  minLength: number;
}

export interface PasswordContext {
  username?: string | null;
  email?: string | null;
}

export interface PasswordFailure {
  code: PasswordRuleCode;
  message: string;
}

/** The floor of PASSWORD_MIN_LENGTH, whatever the configuration says. */
export const PASSWORD_MIN_LENGTH_FLOOR = 8;
export const PASSWORD_MAX_LENGTH = 128;
/** A username or e-mail local part shorter than this is not looked for in the password. */
const CONTAINMENT_MIN_LENGTH = 3;

const MESSAGES = {
  min_length: (n: number) => `Le mot de passe doit contenir au moins ${n} caractères`,
  max_length: `Le mot de passe ne doit pas dépasser ${PASSWORD_MAX_LENGTH} caractères`,
  uppercase: 'Le mot de passe doit contenir au moins une lettre majuscule',
  lowercase: 'Le mot de passe doit contenir au moins une lettre minuscule',
  digit: 'Le mot de passe doit contenir au moins un chiffre',
  special: 'Le mot de passe doit contenir au moins un caractère spécial',
  common: 'Ce mot de passe est trop courant',
  contains_username: "Le mot de passe ne doit pas contenir le nom d'utilisateur",
  contains_email: "Le mot de passe ne doit pas contenir la partie locale de l'adresse e-mail",
} as const;

const UPPERCASE = /\p{Lu}/u;
const LOWERCASE = /\p{Ll}/u;
const DIGIT = /\p{Nd}/u;
/** Neither a letter nor a decimal digit: spaces, punctuation, symbols, emoji... */
const SPECIAL = /[^\p{L}\p{Nd}]/u;

const COMMON_PASSWORDS_URL = new URL('./data/common-passwords.txt', import.meta.url);
let commonPasswords: ReadonlySet<string> | undefined;

/** The bundled list (data/README.md), read once, on first use. */
function getCommonPasswords(): ReadonlySet<string> {
  if (commonPasswords === undefined) {
    let text: string;
    try {
      text = readFileSync(COMMON_PASSWORDS_URL, 'utf8');
    } catch (error) {
      throw new Error(
        `Common-password list not found at ${fileURLToPath(COMMON_PASSWORDS_URL)} (a build must run scripts/copy-assets.mjs)`,
        { cause: error },
      );
    }
    const set = new Set<string>();
    for (const line of text.split('\n')) {
      const entry = line.replace(/\r$/, '');
      if (entry !== '') set.add(entry.normalize('NFC').toLowerCase());
    }
    commonPasswords = set;
  }
  return commonPasswords;
}

function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

function effectiveMinLength(options: PasswordPolicyOptions): number {
  const n = Math.floor(options.minLength);
  return Number.isFinite(n) && n > PASSWORD_MIN_LENGTH_FLOOR ? n : PASSWORD_MIN_LENGTH_FLOOR;
}

/** The local part of an address: everything before the last `@` (the whole string when there is none). */
function emailLocalPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at === -1 ? email : email.slice(0, at);
}

/** `needle` is looked for, case-insensitively, only when it has at least 3 code points. */
function containsIgnoringCase(lowerPassword: string, needle: string | null | undefined): boolean {
  if (needle == null) return false;
  const normalized = needle.normalize('NFC');
  if (codePointLength(normalized) < CONTAINMENT_MIN_LENGTH) return false;
  return lowerPassword.includes(normalized.toLowerCase());
}

/** Every failing rule, in the order of docs/security.md §2; empty when the password is accepted. */
export function checkPassword(password: string, context: PasswordContext, options: PasswordPolicyOptions): PasswordFailure[] {
  const value = password.normalize('NFC');
  const lower = value.toLowerCase();
  const length = codePointLength(value);
  const minLength = effectiveMinLength(options);
  const failures: PasswordFailure[] = [];
  const fail = (code: PasswordRuleCode, message: string): void => {
    failures.push({ code, message });
  };

  if (length < minLength) fail('min_length', MESSAGES.min_length(minLength));
  if (length > PASSWORD_MAX_LENGTH) fail('max_length', MESSAGES.max_length);
  if (!UPPERCASE.test(value)) fail('uppercase', MESSAGES.uppercase);
  if (!LOWERCASE.test(value)) fail('lowercase', MESSAGES.lowercase);
  if (!DIGIT.test(value)) fail('digit', MESSAGES.digit);
  if (!SPECIAL.test(value)) fail('special', MESSAGES.special);
  if (getCommonPasswords().has(lower)) fail('common', MESSAGES.common);
  if (containsIgnoringCase(lower, context.username)) fail('contains_username', MESSAGES.contains_username);
  if (context.email != null && containsIgnoringCase(lower, emailLocalPart(context.email))) {
    fail('contains_email', MESSAGES.contains_email);
  }
  return failures;
}

/** The 400 answered for a rejected password. */
export function passwordPolicyError(failures: readonly PasswordFailure[]): AppError {
  return AppError.badRequest(
    'Mot de passe invalide: ' + failures.map((failure) => failure.message).join('; '),
    failures.map((failure) => failure.code),
  );
}

/** Throws the 400 of {@link passwordPolicyError} when any rule fails. */
export function assertPasswordPolicy(password: string, context: PasswordContext, options: PasswordPolicyOptions): void {
  const failures = checkPassword(password, context, options);
  if (failures.length > 0) throw passwordPolicyError(failures);
}
