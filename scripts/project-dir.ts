import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The project's folder as a URL ending in '/': the nearest folder up holding package-lock.json,
 * so that a script finds the project's files both from its TypeScript and compiled into
 * .build/scripts (where the tests import it from).
 */
function projectUrl(): URL {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(`${dir}/package-lock.json`)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('no package-lock.json above scripts/');
    dir = parent;
  }
  return pathToFileURL(`${dir}/`);
}

export const PROJECT_URL = projectUrl();
