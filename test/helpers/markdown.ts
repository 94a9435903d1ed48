/**
 * Just enough Markdown for the docs tests: headings and fenced code blocks, telling a `#` line
 * inside a fence (a shell comment) from a heading, and GitHub's anchors for headings.
 */
export interface Heading {
  level: number;
  text: string;
  line: number;
}

export interface CodeBlock {
  /** The info string after the opening fence: `sh`, `js`, `ts`, `` (none). */
  lang: string;
  code: string;
  /** The nearest heading above the block, `''` before the first. */
  heading: string;
  /** The block's position among the blocks of the same language under that heading (0, 1, ...). */
  index: number;
  line: number;
}

export interface Parsed {
  headings: Heading[];
  blocks: CodeBlock[];
  /** The text outside fenced blocks, line by line (`''` for the lines of a block). */
  prose: string[];
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;

export function parseMarkdown(text: string): Parsed {
  const lines = text.split('\n');
  const headings: Heading[] = [];
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  const perHeading = new Map<string, number>();
  let heading = '';
  let open: { fence: string; lang: string; start: number; body: string[] } | undefined;
  lines.forEach((line, i) => {
    const fence = FENCE.exec(line);
    if (open !== undefined) {
      prose.push('');
      if (fence !== null && fence[2]!.startsWith(open.fence) && line.trim() === fence[2]) {
        const key = `${heading}\u0000${open.lang}`;
        const index = perHeading.get(key) ?? 0;
        perHeading.set(key, index + 1);
        blocks.push({ lang: open.lang, code: `${open.body.join('\n')}\n`, heading, index, line: open.start + 1 });
        open = undefined;
      } else {
        open.body.push(line);
      }
      return;
    }
    if (fence !== null) {
      open = { fence: fence[2]!, lang: fence[3] ?? '', start: i, body: [] };
      prose.push('');
      return;
    }
    prose.push(line);
    const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (match !== null) {
      heading = match[2]!;
      headings.push({ level: match[1]!.length, text: heading, line: i + 1 });
    }
  });
  if (open !== undefined) throw new Error(`a code fence opened on line ${open.start + 1} is never closed`);
  return { headings, blocks, prose };
}

/** GitHub's anchor of a heading: lower case, markup and punctuation but `-` and `_` dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a document, with GitHub's `-1`, `-2` suffixes for repeated headings. */
export function anchorsOf(parsed: Parsed): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text } of parsed.headings) {
    const base = anchorOf(text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

export interface Link {
  target: string;
  line: number;
}

/** The links of a document's prose: `[text](target)`, `[label]: target` and `<a href="target">`; code is skipped. */
export function linksOf(parsed: Parsed): Link[] {
  const links: Link[] = [];
  parsed.prose.forEach((text, i) => {
    const line = text.replace(/(`+)[^`]*?\1/g, '');
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: match[1]!, line: i + 1 });
    for (const match of line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)) links.push({ target: match[1]!, line: i + 1 });
    for (const match of line.matchAll(/<a\s[^>]*href="([^"]+)"/g)) links.push({ target: match[1]!, line: i + 1 });
  });
  return links;
}

/** Whether a link leaves the repository (a scheme such as `https:` or `mailto:`). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}
