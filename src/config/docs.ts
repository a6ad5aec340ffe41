/**
 * `.env.example` and docs/configuration.md, rendered from the variable table (variables.ts).
 * `npm run config:docs` writes them; test/config/docs.test.ts fails when the checked-in files differ,
 * so a variable cannot be added without its documentation.
 */
import { GROUPS, VARIABLES, type Variable } from './variables.js';

const RULE_WIDTH = 96;

function entriesOf(group: keyof typeof GROUPS): [string, Variable][] {
  return (Object.entries(VARIABLES) as [string, Variable][]).filter(([, spec]) => spec.group === group);
}

/** The fallback as written in a .env file, or null when it has none (it is resolved or unset). */
function literalDefault(spec: Variable): string | null {
  const fallback = spec.parser.fallback;
  return fallback === null ? null : String(fallback);
}

function productionText(spec: Variable): string | null {
  if (spec.production === undefined) return null;
  const { min, max } = spec.production;
  return max === undefined ? `at least ${min} in production` : `${min} to ${max} in production`;
}

const reservedText = (reserved: string): string => `reserved, not read yet (${reserved})`;

/** The `.env.example` comment of a variable: description, then type, default, production range, secrecy. */
function exampleComment(spec: Variable): string[] {
  const literal = literalDefault(spec);
  const notes = [
    spec.parser.type === 'string' ? null : spec.parser.type,
    `default ${spec.defaultText ?? literal ?? 'unset'}`,
    productionText(spec),
    spec.secret ? 'secret' : null,
  ].filter((note) => note !== null);
  const lines = [`# ${spec.description} (${notes.join('; ')}).`];
  if (spec.reserved !== undefined) lines.push(`# Reserved, not read yet (${spec.reserved}): parsed and validated only.`);
  return lines;
}

const EXAMPLE_HEADER = [
  '# mif-erp configuration, generated from src/config/variables.ts by `npm run config:docs`: edit the',
  '# table there, then regenerate. Every variable in detail: docs/configuration.md.',
  '# Copy to .env for local use; the real environment wins over .env. An empty value means "unset".',
  '# Every value written in this file is a placeholder: none of them is accepted as SECRET_KEY or',
  '# FILES_ENC_KEY when ENVIRONMENT=production. Generate real keys with `npm run keys:generate`.',
  '# Booleans: true/false, 1/0, yes/no, on/off. Lists: a JSON list or a comma list.',
];

export function renderEnvExample(): string {
  const lines = [...EXAMPLE_HEADER];
  for (const [group, title] of Object.entries(GROUPS) as [keyof typeof GROUPS, string][]) {
    const heading = `# --- ${title} `;
    lines.push('', heading.padEnd(RULE_WIDTH, '-'));
    for (const [name, spec] of entriesOf(group)) {
      lines.push(...exampleComment(spec), `${spec.active ? '' : '# '}${name}=${spec.example ?? literalDefault(spec) ?? ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const cell = (value: string): string => value.replace(/\|/g, '\\|');

const DOC_HEADER = `# Configuration

<!-- Generated from src/config/variables.ts by \`npm run config:docs\`; edit the table there, not this file. -->

Settings come from the environment. A \`.env\` file in the working directory is loaded when present,
and the real environment wins over it; an empty value means unset. \`.env.example\` lists every
variable with a placeholder value. Booleans accept true/false, 1/0, yes/no, on/off; lists are a JSON
list of strings or a comma list. A malformed value is an error in every environment, and every
problem is reported at once, one line per variable.

- **Production** (\`ENVIRONMENT=production\`): the process refuses to start on any problem. The ranges
  and refusals are given with each variable; those that combine several variables are in
  \`src/config/rules.ts\`.
- **Secret**: never quoted in a problem; keep it out of version control. \`npm run keys:generate\`
  prints a fresh SECRET_KEY, FILES_ENC_KEY and METRICS_TOKEN as \`NAME=value\` lines.
- **Reserved**: parsed and validated, but read by nothing in the application yet; the issue named
  will use it.
`;

export function renderConfigurationDoc(): string {
  const parts = [DOC_HEADER];
  for (const [group, title] of Object.entries(GROUPS) as [keyof typeof GROUPS, string][]) {
    const rows = entriesOf(group).map(([name, spec]) => {
      const literal = literalDefault(spec);
      const defaultCell = spec.defaultText ?? (literal === null ? 'unset' : `\`${literal}\``);
      const description = [spec.description, productionText(spec)].filter((text) => text !== null).join('; ');
      return `| \`${name}\` | ${cell(spec.parser.type)} | ${cell(defaultCell)} | ${cell(description)} | ${spec.secret ? 'yes' : ''} | ${spec.reserved === undefined ? '' : cell(reservedText(spec.reserved))} |`;
    });
    parts.push(`\n## ${title}\n\n| Variable | Type | Default | Description | Secret | Reserved |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n`);
  }
  return parts.join('');
}
