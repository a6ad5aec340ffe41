/** How configuration problems are collected and reported: every problem at once, one line per variable. */

/** Problems grouped by variable: one line per variable, its reasons joined with "; ". */
export class Problems {
  private readonly byVariable = new Map<string, string[]>();

  add(variable: string, message: string): void {
    const reasons = this.byVariable.get(variable) ?? [];
    reasons.push(message);
    this.byVariable.set(variable, reasons);
  }

  has(variable: string): boolean {
    return this.byVariable.has(variable);
  }

  lines(): string[] {
    return [...this.byVariable].map(([variable, reasons]) => `${variable}: ${reasons.join('; ')}`);
  }
}

/** Every problem of the configuration: one line per variable (its reasons joined with "; "), after a header line. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = [...problems];
  }
}
