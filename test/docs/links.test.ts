import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import t from 'tap';
import { anchorsOf, isExternal, linksOf, parseMarkdown } from '../helpers/markdown.js';
import { PROJECT_DIR } from '../helpers/server-process.js';

/**
 * Every relative link of the README, the changelog, SECURITY.md and docs/ leads to a file or
 * folder of the repository, and every `#anchor` to a heading of its document (GitHub's anchors).
 * Links to other sites are not fetched.
 */
async function markdownUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(PROJECT_DIR, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await markdownUnder(path)));
    else if (entry.name.endsWith('.md')) found.push(path);
  }
  return found;
}

async function documents(): Promise<string[]> {
  return ['README.md', 'CHANGELOG.md', 'SECURITY.md', ...(await markdownUnder('docs'))];
}

const anchorCache = new Map<string, Set<string>>();
async function anchorsIn(file: string): Promise<Set<string>> {
  let anchors = anchorCache.get(file);
  if (anchors === undefined) {
    anchors = anchorsOf(parseMarkdown(await readFile(join(PROJECT_DIR, file), 'utf8')));
    anchorCache.set(file, anchors);
  }
  return anchors;
}

/** What is wrong with each relative link of `file` (a repository path), one line each. */
async function brokenLinks(file: string, text: string): Promise<string[]> {
  const broken: string[] = [];
  const parsed = parseMarkdown(text);
  for (const { target, line } of linksOf(parsed)) {
    if (isExternal(target)) continue;
    const [path = '', anchor] = target.split('#', 2) as [string, string | undefined];
    const linked = path === '' ? file : relative(PROJECT_DIR, join(PROJECT_DIR, dirname(file), decodeURI(path)));
    const where = `${file}:${line} -> ${target}`;
    if (linked.startsWith('..') || !existsSync(join(PROJECT_DIR, linked))) {
      broken.push(`${where}: no file ${linked}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!linked.endsWith('.md') || statSync(join(PROJECT_DIR, linked)).isDirectory()) {
      broken.push(`${where}: an anchor into ${linked}, which is not a Markdown document`);
    } else if (!(linked === file ? anchorsOf(parsed) : await anchorsIn(linked)).has(anchor)) {
      broken.push(`${where}: ${linked} has no heading with the anchor #${anchor}`);
    }
  }
  return broken;
}

t.test('every relative link and anchor of the README, the changelog, SECURITY.md and docs/ leads somewhere', async (t) => {
  const files = await documents();
  t.ok(files.includes('docs/api-guide.md') && files.includes('docs/ARCHITECTURE.md'), `the docs are found (${files.length} files)`);
  let checked = 0;
  for (const file of files) {
    const text = await readFile(join(PROJECT_DIR, file), 'utf8');
    checked += linksOf(parseMarkdown(text)).filter((link) => !isExternal(link.target)).length;
    t.same(await brokenLinks(file, text), [], `${file}: no broken relative link`);
  }
  t.ok(checked > 50, `${checked} relative links checked`);
});

t.test('a missing file, a missing anchor and an anchor into a file without headings are each reported', async (t) => {
  const text = [
    '# Title',
    'See [the guide](docs/api-guide.md#keys-and-roles), [the title](#title) and [a site](https://example.org/x.md).',
    'Broken: [gone](docs/no-such-file.md), [no anchor](docs/api-guide.md#no-such-heading), [own](#nowhere).',
    'A folder is fine: [bench](bench/), an anchor into it is not: [x](package.json#name).',
    '`[not a link](nowhere.md)` in code is skipped, and so are fenced blocks:',
    '```md',
    '[fenced](nowhere.md)',
    '```',
    '[ref]: docs/missing.md',
  ].join('\n');
  const broken = await brokenLinks('README.md', text);
  t.same(broken, [
    'README.md:3 -> docs/no-such-file.md: no file docs/no-such-file.md',
    'README.md:3 -> docs/api-guide.md#no-such-heading: docs/api-guide.md has no heading with the anchor #no-such-heading',
    'README.md:3 -> #nowhere: README.md has no heading with the anchor #nowhere',
    'README.md:4 -> package.json#name: an anchor into package.json, which is not a Markdown document',
    'README.md:9 -> docs/missing.md: no file docs/missing.md',
  ]);
});

t.test('headings get GitHub anchors, repeated ones numbered', async (t) => {
  const anchors = anchorsOf(parseMarkdown('# Try it: the demo story in one shell\n## `GET /decisions` and money\n## Money\n## Money\n```sh\n# not a heading\n```\n'));
  t.same([...anchors], ['try-it-the-demo-story-in-one-shell', 'get-decisions-and-money', 'money', 'money-1']);
});

t.test('every document of docs/ is within two clicks of the README, and so are the changelog, the policy and SECURITY.md', async (t) => {
  const linkedFrom = async (file: string) =>
    linksOf(parseMarkdown(await readFile(join(PROJECT_DIR, file), 'utf8')))
      .filter((link) => !isExternal(link.target) && !link.target.startsWith('#'))
      .map((link) => relative(PROJECT_DIR, join(PROJECT_DIR, dirname(file), link.target.split('#')[0]!)));
  const oneClick = new Set(await linkedFrom('README.md'));
  const twoClicks = new Set(oneClick);
  for (const file of oneClick) if (file.endsWith('.md')) for (const target of await linkedFrom(file)) twoClicks.add(target);
  for (const file of ['docs/api-guide.md', 'docs/auditors.md', 'docs/operations.md', 'docs/performance.md', 'docs/ARCHITECTURE.md', 'docs/errors.md', 'CHANGELOG.md', 'docs/versioning.md', 'SECURITY.md', 'LICENSE']) {
    t.ok(oneClick.has(file), `the README links ${file}`);
  }
  for (const file of await markdownUnder('docs')) t.ok(twoClicks.has(file), `${file} is within two clicks of the README`);
});
