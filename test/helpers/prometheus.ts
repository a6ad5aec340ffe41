/**
 * Reading a Prometheus text scrape (format 0.0.4) in tests: the samples by name and labels, the
 * declared types, and a scrape of a test app with its METRICS_TOKEN.
 */
import assert from 'node:assert/strict';
import type { TestApp } from './app.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  text: string;
  samples: Sample[];
  /** `# TYPE` of each metric family. */
  types: Map<string, string>;
  /** The sum of the samples named `name` whose labels include `labels` (0 when none). */
  value(name: string, labels?: Record<string, string>): number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseScrape(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice('# TYPE '.length).split(' ');
      types.set(name!, type!);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return {
    text,
    samples,
    types,
    value(name, labels = {}) {
      return samples
        .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
        .reduce((sum, sample) => sum + sample.value, 0);
    },
  };
}

/** How much a sample grew from `before` to `after`: `moved(name, labels)`. */
export function movement(before: Scrape, after: Scrape): (name: string, labels?: Record<string, string>) => number {
  return (name, labels = {}) => after.value(name, labels) - before.value(name, labels);
}

/** GET /api/v1/metrics with `Bearer <token>`; asserts a 200 in the Prometheus text format. */
export async function scrape(t: Pick<TestApp, 'app'>, token: string): Promise<Scrape> {
  const response = await t.app.inject({ method: 'GET', url: '/api/v1/metrics', headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parseScrape(response.body);
}
