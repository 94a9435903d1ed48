import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Tests mirror src/: the test of src/x/y.ts is test/x/y.test.ts, or lives in the folder
 * test/x/y/ when there are several. Suites about the whole service (test/e2e, test/reliability,
 * the browser test of the Swagger UI, the typed client's story) and the shared helpers are
 * exempt. Exits 1 naming every test that has no module.
 */
const EXEMPT = ['e2e', 'reliability', 'browser', 'client', 'helpers'];
const root = new URL('..', import.meta.url).pathname;

async function* testFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(path);
    else if (entry.name.endsWith('.test.ts')) yield relative(join(root, 'test'), path);
  }
}

/** The module a test file tests: its own path in src/, or the nearest folder named after a module. */
export function moduleOf(testPath: string): string | undefined {
  const parts = testPath.replace(/(\.property)?\.test\.ts$/, '').split('/');
  for (let length = parts.length; length > 0; length--) {
    const candidate = join('src', ...parts.slice(0, length));
    if (existsSync(join(root, `${candidate}.ts`))) return `${candidate}.ts`;
  }
  return undefined;
}

const orphans: string[] = [];
let count = 0;
for await (const path of testFiles(join(root, 'test'))) {
  if (EXEMPT.includes(path.split('/')[0]!)) continue;
  count++;
  if (moduleOf(path) === undefined) orphans.push(`test/${path}`);
}
if (orphans.length > 0) {
  process.stderr.write(`These tests mirror no module of src/ (move each to test/<path of its module>):\n${orphans.map((p) => `  ${p}\n`).join('')}`);
  process.exit(1);
}
process.stdout.write(`${count} test files mirror src/\n`);
