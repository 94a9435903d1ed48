import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArtefacts } from './openapi-document.js';

/**
 * `npm run openapi` writes what is generated from the route schemas and the error catalogue
 * (openapi/openapi.json, docs/errors.md, the typed client's schema); with --check it fails when
 * a committed file differs from what would be generated.
 */
const check = process.argv.includes('--check');
const root = fileURLToPath(new URL('..', import.meta.url));
let drifted = 0;

for (const { url, text } of await generateArtefacts()) {
  const path = fileURLToPath(url);
  const name = relative(root, path);
  if (check) {
    const committed = await readFile(path, 'utf8').catch(() => '');
    if (committed === text) {
      process.stdout.write(`${name} matches the routes\n`);
    } else {
      process.stderr.write(`${name} differs from what the routes produce: run \`npm run openapi\` and commit it.\n`);
      drifted++;
    }
  } else {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    process.stdout.write(`wrote ${name}\n`);
  }
}
if (drifted > 0) process.exit(1);
