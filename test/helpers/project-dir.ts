import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
