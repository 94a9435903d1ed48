import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * Tests mirror src/: the tests of src/x/y.ts are the file test/x/y.test.ts (beside it,
 * test/x/y.property.test.ts), or the folder test/x/y/ when there are several, never both.
 * Suites about the whole service (test/e2e, test/reliability, the browser test of the Swagger UI,
 * the typed client's story) and the shared helpers are exempt, and count for no module.
 *
 * Exits 1 on a test that mirrors no module, on a module tested in both forms, and on a module with
 * logic and no test of its own that the allowlist below does not name (or on a stale entry there).
 * A module has logic when its code can take two ways: it holds an `if`, a conditional `?:`, a
 * `switch`, a loop (`for`, `while`, `do`), a `catch`, or a logical operator (`&&`, `||`, `??` and
 * their assignments), which decides whether its right side runs. Types, comments and strings do
 * not count; optional chaining (`?.`) does not either. Modules of declarations, schemas and
 * re-exports have none.
 */
const EXEMPT = ['e2e', 'reliability', 'browser', 'client', 'helpers', 'docs'];
const root = new URL('..', import.meta.url).pathname;

/**
 * Modules with logic allowed to have no test of their own: none. An entry outside src/http and
 * src/use-cases fails the check, and so does an entry that gets a test or whose module is gone.
 */
const UNTESTED_ALLOWED = new Set<string>([]);

/**
 * Modules tested in both forms that stay so for now: the tests of src/http are being moved by
 * resource (issue 24, item 3), which resolves these. Fails once the module has one form.
 */
const BOTH_FORMS_ALLOWED = new Set<string>([]);

async function* files(dir: string, suffix: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path, suffix);
    else if (entry.name.endsWith(suffix)) yield path;
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

const BRANCHING_OPERATORS = new Set([
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/** The first branch of a module's code (see the definition above), as `line: text`, or undefined. */
export function firstBranch(path: string): string | undefined {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const isBranch = (node: ts.Node): boolean =>
    ts.isIfStatement(node) ||
    ts.isConditionalExpression(node) ||
    ts.isSwitchStatement(node) ||
    ts.isIterationStatement(node, false) ||
    ts.isCatchClause(node) ||
    (ts.isBinaryExpression(node) && BRANCHING_OPERATORS.has(node.operatorToken.kind));
  const find = (node: ts.Node): ts.Node | undefined => (isBranch(node) ? node : ts.forEachChild(node, find));
  const branch = find(source);
  if (branch === undefined) return undefined;
  const line = source.getLineAndCharacterOfPosition(branch.getStart(source)).line + 1;
  return `${line}: ${branch.getText(source).split('\n')[0]!.trim().slice(0, 60)}`;
}

const orphans: string[] = [];
const forms = new Map<string, Set<'file' | 'folder'>>();
let count = 0;
for await (const path of files(join(root, 'test'), '.test.ts')) {
  const testPath = relative(join(root, 'test'), path);
  if (EXEMPT.includes(testPath.split('/')[0]!)) continue;
  count++;
  const module = moduleOf(testPath);
  if (module === undefined) {
    orphans.push(`test/${testPath}`);
    continue;
  }
  const form = `src/${testPath.replace(/(\.property)?\.test\.ts$/, '')}.ts` === module ? 'file' : 'folder';
  forms.set(module, (forms.get(module) ?? new Set()).add(form));
}

const problems: string[] = [];
const misplaced = [...UNTESTED_ALLOWED, ...BOTH_FORMS_ALLOWED].filter((module) => !/^src\/(http|use-cases)\//.test(module));
if (misplaced.length > 0) {
  problems.push(`The allowlists name modules outside src/http and src/use-cases (give them a test instead):\n${misplaced.map((m) => `  ${m}\n`).join('')}`);
}
if (orphans.length > 0) {
  problems.push(`These tests mirror no module of src/ (move each to test/<path of its module>):\n${orphans.map((p) => `  ${p}\n`).join('')}`);
}
const bothForms = [...forms].filter(([, kinds]) => kinds.size === 2).map(([module]) => module).sort();
const bothFormsNotAllowed = bothForms.filter((module) => !BOTH_FORMS_ALLOWED.has(module));
if (bothFormsNotAllowed.length > 0) {
  problems.push(
    `These modules are tested both in test/x/y.test.ts and in the folder test/x/y/ (keep one form):\n${bothFormsNotAllowed.map((m) => `  ${m}\n`).join('')}`,
  );
}
const staleBothForms = [...BOTH_FORMS_ALLOWED].filter((module) => !bothForms.includes(module));
if (staleBothForms.length > 0) {
  problems.push(`BOTH_FORMS_ALLOWED names modules that now have one form (remove them):\n${staleBothForms.map((m) => `  ${m}\n`).join('')}`);
}

const untested: { module: string; branch: string }[] = [];
const modules: string[] = [];
for await (const path of files(join(root, 'src'), '.ts')) {
  const module = relative(root, path);
  modules.push(module);
  if (forms.has(module)) continue;
  const branch = firstBranch(path);
  if (branch !== undefined) untested.push({ module, branch });
}
untested.sort((a, b) => a.module.localeCompare(b.module));
const notAllowed = untested.filter(({ module }) => !UNTESTED_ALLOWED.has(module));
if (notAllowed.length > 0) {
  problems.push(
    `These modules have logic and no test of their own (test/x/y.test.ts or test/x/y/ for src/x/y.ts):\n${notAllowed.map(({ module, branch }) => `  ${module} (line ${branch})\n`).join('')}`,
  );
}
const staleUntested = [...UNTESTED_ALLOWED].filter((module) => !untested.some((u) => u.module === module));
if (staleUntested.length > 0) {
  problems.push(
    `UNTESTED_ALLOWED names modules that now have a test or no longer exist (remove them):\n${staleUntested.map((m) => `  ${m}\n`).join('')}`,
  );
}

const allowed = untested.filter(({ module }) => UNTESTED_ALLOWED.has(module));
process.stdout.write(
  `${count} test files mirror src/; ${modules.length} modules, ${modules.length - untested.length} tested or without logic\n` +
    (allowed.length === 0 ? '' : `Modules with logic and no test of their own, allowed for now (${allowed.length}):\n${allowed.map(({ module }) => `  ${module}\n`).join('')}`),
);
if (problems.length > 0) {
  process.stderr.write(problems.join(''));
  process.exit(1);
}
