import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Loaded with `--import` into a server started by a test: at exit, writes the files of every
 * CommonJS module the process loaded (the OpenTelemetry SDK and its instrumentations are
 * CommonJS) to LOADED_MODULES_FILE, one a line.
 */
const file = process.env.LOADED_MODULES_FILE;
if (file !== undefined) {
  const require = createRequire(import.meta.url);
  process.on('exit', () => writeFileSync(file, Object.keys(require.cache).join('\n')));
}
