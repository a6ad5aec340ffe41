/**
 * A small seeded pseudo-random generator (sfc32, seeded through a string hash), so that
 * `npm run seed:demo -- --scale N --seed S` generates the same data on every run.
 */

/** cyrb128: four 32-bit words from a string. */
function hashSeed(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Same seed text, same sequence. */
  constructor(seed: string) {
    [this.a, this.b, this.c, this.d] = hashSeed(seed);
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a |= 0;
    this.b |= 0;
    this.c |= 0;
    this.d |= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Real number in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One key of `weights`, with probability proportional to its weight (see also {@link weighted}). */
  weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): K {
    return weighted(weights)(this);
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/** A list with exactly `count` copies of each key (in order); shuffle it for exact proportions. */
export function exactCounts<K extends string>(counts: Readonly<Record<K, number>>): K[] {
  const out: K[] = [];
  for (const [key, n] of Object.entries(counts) as [K, number][]) for (let i = 0; i < n; i++) out.push(key);
  return out;
}

/** A sampler over fixed weights, built once: `const pick = weighted({a: 3, b: 1}); pick(rng)`. */
export function weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): (rng: Random) => K {
  const keys: K[] = [];
  const cumulative: number[] = [];
  let sum = 0;
  for (const [key, weight] of Object.entries(weights) as [K, number][]) {
    if (weight <= 0) continue;
    sum += weight;
    keys.push(key);
    cumulative.push(sum);
  }
  if (keys.length === 0) throw new RangeError('no positive weight');
  return (rng) => {
    const x = rng.next() * sum;
    for (let i = 0; i < cumulative.length; i++) if (x < cumulative[i]!) return keys[i]!;
    return keys[keys.length - 1]!;
  };
}
