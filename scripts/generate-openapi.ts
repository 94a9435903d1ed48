import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { generateOpenapiText, OPENAPI_PATH } from './openapi-document.js';

/** `npm run openapi` writes openapi/openapi.json; with --check it fails when the file has drifted. */
const check = process.argv.includes('--check');
const generated = await generateOpenapiText();
const path = fileURLToPath(OPENAPI_PATH);

if (check) {
  const committed = await readFile(path, 'utf8').catch(() => '');
  if (committed !== generated) {
    process.stderr.write('openapi/openapi.json differs from what the routes produce: run `npm run openapi` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('openapi/openapi.json matches the routes\n');
} else {
  await writeFile(path, generated);
  process.stdout.write(`wrote ${path}\n`);
}
