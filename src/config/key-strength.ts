/**
 * Production refusals of weak keys beyond their length (docs/security.md §11): a key may have the
 * right size and still be guessable: all zeros, a repeated block, a run such as `abcdef…` or
 * `00 01 02 …`. These are heuristics on the value alone; a key from `npm run keys:generate` always
 * passes them (its bytes are random).
 */

/** Below this, the estimated entropy of SECRET_KEY (characters × their empirical Shannon entropy) is refused. */
const MIN_SECRET_BITS = 80;
/** A random 32-byte key has about 30 distinct byte values; 16 is far below anything random. */
const MIN_DISTINCT_KEY_BYTES = 16;

/** The shortest block that the whole value repeats, or null when it repeats none shorter than half. */
function repeatedBlock(values: readonly number[]): number | null {
  for (let period = 1; period <= values.length / 2; period++) {
    if (values.every((value, index) => index < period || value === values[index - period])) return period;
  }
  return null;
}

/** More than half of the neighbours are equal or consecutive (`aaaa`, `abcd`, `0123`, `00 01 02`). */
function mostlyRuns(values: readonly number[]): boolean {
  let runs = 0;
  for (let index = 1; index < values.length; index++) if (Math.abs(values[index]! - values[index - 1]!) <= 1) runs++;
  return runs * 2 > values.length - 1;
}

/** Characters × Shannon entropy of their observed distribution, in bits. */
function estimatedBits(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let perSymbol = 0;
  for (const count of counts.values()) {
    const p = count / values.length;
    perSymbol -= p * Math.log2(p);
  }
  return perSymbol * values.length;
}

/** Why SECRET_KEY is guessable despite its length, or null. */
export function weakSecretReason(secret: string): string | null {
  const codes = [...secret].map((char) => char.codePointAt(0)!);
  if (repeatedBlock(codes) !== null) return 'is a repeated pattern';
  if (mostlyRuns(codes)) return 'is mostly runs of equal or consecutive characters';
  if (estimatedBits(codes) < MIN_SECRET_BITS) return `has too little entropy (estimated below ${MIN_SECRET_BITS} bits)`;
  return null;
}

/** Why the 32 bytes of a FILES_ENC_KEY are guessable, or null. */
export function weakKeyBytesReason(key: Buffer): string | null {
  const bytes = [...key];
  if (bytes.every((byte) => byte === 0)) return 'is all zero bytes';
  if (repeatedBlock(bytes) !== null) return 'is a repeated byte pattern';
  if (new Set(bytes).size < MIN_DISTINCT_KEY_BYTES) return `has fewer than ${MIN_DISTINCT_KEY_BYTES} distinct byte values`;
  if (mostlyRuns(bytes)) return 'is mostly runs of equal or consecutive bytes';
  return null;
}
