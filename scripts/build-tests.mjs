// Compiles the tests (with src/ and scripts/ they import) into .build/ and readies that folder
// to run them: `npm test` runs .build/test/**/*.test.js with plain node, which starts each test
// process about two seconds of CPU sooner than loading TypeScript through a loader hook.
// Compiled files whose source is gone are removed (tap would run a deleted test's old copy),
// and .build/migrations points at migrations/, which src/db/client.ts finds beside its src/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, symlinkSync, lstatSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = join(root, '.build');
const started = Date.now();
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
try {
  execFileSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.test.json')], { stdio: 'inherit' });
} catch {
  process.exit(1);
}

let removed = 0;
for (const top of ['src', 'test', 'scripts', 'clients']) {
  const dir = join(build, top);
  if (!existsSync(dir)) continue;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.js(\.map)?$/.test(entry.name)) continue;
    const compiled = join(entry.parentPath, entry.name);
    const source = join(root, relative(build, compiled)).replace(/\.js(\.map)?$/, '.ts');
    if (!existsSync(source)) {
      rmSync(compiled);
      removed += 1;
    }
  }
}

const migrations = join(build, 'migrations');
if (!existsSync(migrations) && !isLink(migrations)) symlinkSync(join('..', 'migrations'), migrations, 'dir');

console.log(`tests compiled into .build/ in ${((Date.now() - started) / 1000).toFixed(1)} s${removed > 0 ? `; ${removed} stale file(s) removed` : ''}`);

function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
