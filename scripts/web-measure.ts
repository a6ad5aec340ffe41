/**
 * `npm run web:measure -- --url http://127.0.0.1:8000 --username <u> --password-stdin`: prints the
 * speed figures of the web application served by a running server (scripts/lib/web-measure.ts).
 * The account needs at least 50 interventions in its scope (`npm run seed:demo` gives them).
 */
import { parseArgs } from 'node:util';
import { formatFigures, measureWebApp } from './lib/web-measure.js';

const { values } = parseArgs({ options: { url: { type: 'string', default: 'http://127.0.0.1:8000' }, username: { type: 'string' }, 'password-stdin': { type: 'boolean' } } });
if (!values.username || !values['password-stdin']) {
  process.stderr.write('usage: npm run web:measure -- --url <url> --username <username> --password-stdin < password-file\n');
  process.exit(1);
}
let password = '';
for await (const chunk of process.stdin) password += chunk;
const figures = await measureWebApp(values.url.replace(/\/$/, ''), { username: values.username, password: password.trim() });
process.stdout.write(`${formatFigures(figures)}\n`);
