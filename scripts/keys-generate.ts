/**
 * `npm run keys:generate`: prints a fresh SECRET_KEY, FILES_ENC_KEY and METRICS_TOKEN as `NAME=value`
 * lines, ready to append to a .env file (formats: docs/configuration.md). It reads no configuration
 * and writes nothing, so it also runs where the current configuration is refused.
 */
import { generateFilesKey, generateMetricsToken, generateSecretKey } from '../src/config/keys.js';

process.stdout.write(`SECRET_KEY=${generateSecretKey()}\nFILES_ENC_KEY=${generateFilesKey()}\nMETRICS_TOKEN=${generateMetricsToken()}\n`);
// The documents cannot be decrypted without FILES_ENC_KEY, and backups do not contain it.
process.stderr.write('Keep FILES_ENC_KEY safe and outside the backups: without it the stored documents cannot be read.\n');
