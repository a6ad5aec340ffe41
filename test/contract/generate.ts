/**
 * Values from the OpenAPI document's schemas, for the contract test and the fuzz: a seeded PRNG
 * (the same seed gives the same requests), valid values, and the mutations of a valid value.
 */
import type { JsonSchema } from './openapi.js';

/** mulberry32: small, fast, and good enough to spread requests over the input space. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** Field name → a value that makes sense in the test's world (an existing id, a unique e-mail). */
export type Hints = Record<string, (rng: Rng) => unknown>;

/** Strings the documented patterns accept: query booleans, timestamps and dates, currencies. */
const PATTERN_SAMPLES = ['true', 'false', '1', 'off', '2026-06-01', '2026-06-15T10:30:00Z', '2026-07-01T08:00:00+01:00', 'MAD', 'EUR'];

const WORDS = ['pompe', 'Compresseur', 'atelier nord', 'Révision', 'été', 'Maintenance préventive', 'zone B'];

function types(schema: JsonSchema): string[] {
  const type = schema.type;
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string' && t !== 'null');
  if (typeof type === 'string') return [type];
  if (schema.properties) return ['object'];
  return [];
}

function sampleString(schema: JsonSchema, rng: Rng): string {
  if (typeof schema.pattern === 'string') {
    const pattern = new RegExp(schema.pattern);
    const matching = PATTERN_SAMPLES.filter((s) => pattern.test(s));
    if (matching.length > 0) return rng.pick(matching);
  }
  if (schema.format === 'date-time') return '2026-06-15T10:30:00.000Z';
  if (schema.format === 'date') return rng.pick(['2026-06-01', '2026-12-31']);
  if (schema.format === 'email') return `fuzz.${rng.int(1, 1e9)}@exemple.test`;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 1;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 60;
  let text = `${rng.pick(WORDS)} ${rng.int(1, 1e6)}`;
  while (text.length < min) text += 'x';
  return text.slice(0, Math.max(min, Math.min(max, text.length)));
}

/** A value the schema accepts (best effort: the business rules may still refuse it). */
export function sampleValid(schema: JsonSchema, rng: Rng, hints: Hints = {}, name?: string): unknown {
  if (name !== undefined && Object.hasOwn(hints, name)) return hints[name]!(rng);
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((v) => v !== null);
    return rng.pick(values.length > 0 ? values : schema.enum);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) {
      const usable = (branches as JsonSchema[]).filter((b) => b.type !== 'null');
      return sampleValid(rng.pick(usable.length > 0 ? usable : (branches as JsonSchema[])), rng, hints, name);
    }
  }
  const type = types(schema)[0];
  switch (type) {
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 0;
      const max = typeof schema.maximum === 'number' ? Math.min(schema.maximum, min + 1000) : min + 1000;
      return rng.int(Math.ceil(min), Math.floor(max));
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'string':
      return sampleString(schema, rng);
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      const max = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 3, 3);
      return Array.from({ length: rng.int(typeof schema.minItems === 'number' ? schema.minItems : 0, max) }, () => sampleValid(items, rng, hints, name));
    }
    case 'object': {
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const value: Record<string, unknown> = {};
      for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
        if (required.has(key) || rng.chance(0.5)) value[key] = sampleValid(property, rng, hints, key);
      }
      return value;
    }
    default:
      return null;
  }
}

/** Hostile values: wrong types, bounds, huge and odd strings (NUL, unicode), injection-looking text. */
export const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2_147_483_648,
  Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
  '',
  ' ',
  'abc',
  '-1',
  '1e3',
  'NaN',
  'null',
  'x'.repeat(100_000),
  'a\u0000b',
  '\u0000',
  '😀🛠️ مرحبا ﷽ e\u0301',
  '\ud800',
  "'; DROP TABLE users; --",
  '%_\\',
  '../../etc/passwd',
  '2026-02-30',
  '2026-13-01T25:61:00Z',
  '9999-12-31T23:59:59Z',
  '0000-01-01',
  [],
  [1, 'a', null],
  {},
  { nested: { deeper: [{}] } },
  JSON.parse('{"__proto__": {"admin": true}}'),
];

/** A path segment that is not a valid id. */
export const HOSTILE_IDS: readonly string[] = ['0', '-1', 'abc', '1.5', '2147483648', '99999999999999999999', '1e3', '%00', '%20', '%C3%A9', '..', 'null', 'x'.repeat(300), '%E2%80%AE', '0x10'];

/** Nesting `depth` levels deep (the JSON parser refuses beyond its bound). */
export function deeplyNested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
