import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The project's folder, found from this file: the nearest folder up holding package-lock.json.
 * Tests run from their TypeScript (under tsx) or compiled into .build/test (npm test); both
 * find the project's files, and start its processes, here.
 */
function projectDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package-lock.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package-lock.json above the test helpers');
    dir = parent;
  }
  return dir;
}

export const PROJECT_DIR = projectDir();

/** A file of the project by its path from the project's folder ('openapi/openapi.json'). */
export const projectFile = (path: string): string => join(PROJECT_DIR, path);

/** Whether the tests run compiled (npm test runs .build/test) rather than from their TypeScript through tsx. */
export const RUNNING_COMPILED = /[/\\]\.build[/\\]test[/\\]/.test(fileURLToPath(import.meta.url));

/**
 * Node's arguments to run the project's TypeScript entry points (`src/server.ts`, a script, a
 * test helper loaded with `--import`), as the tests themselves run: compiled when they run
 * compiled, src/ as `dist/` (what `npm start` runs; npm test's pretest builds both) and scripts/
 * and test/ from .build/, or through tsx when they run from their TypeScript. The last entry is
 * the one to run; any before it are loaded with `--import`.
 */
export function nodeArgs(entries: readonly string[], ...args: string[]): string[] {
  const compiled = (entry: string) => {
    const file = entry.replace(/^\.\//, '').replace(/\.ts$/, '.js');
    return join(PROJECT_DIR, file.startsWith('src/') ? `dist/${file.slice('src/'.length)}` : `.build/${file}`);
  };
  const files = RUNNING_COMPILED ? entries.map(compiled) : entries;
  const imports = files.slice(0, -1).flatMap((file) => ['--import', RUNNING_COMPILED ? pathToFileURL(file).href : file]);
  return [...(RUNNING_COMPILED ? [] : ['--import', 'tsx']), ...imports, files[files.length - 1]!, ...args];
}
