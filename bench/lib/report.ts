import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, timestamp } from './util.js';

/** The table printed at the end of a run and the JSON written to bench/results/. */
export interface Row {
  scenario: string;
  reqPerSec: string;
  p50Ms: string;
  p99Ms: string;
  errors: string;
  baseline: string;
  ratio: string;
  goal: string;
  met: boolean | null;
}

export function markdownTable(rows: readonly Row[]): string {
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'errors / non-2xx', 'baseline', 'ratio', 'goal', 'met?'];
  return table(
    header,
    rows.map((row) => [row.scenario, row.reqPerSec, row.p50Ms, row.p99Ms, row.errors, row.baseline, row.ratio, row.goal, metCell(row.met)]),
  );
}

export function metCell(met: boolean | null): string {
  return met === null ? '-' : met ? 'yes' : '**no**';
}

export function table(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)));
  const format = (cells: readonly string[]) => `| ${widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join(' | ')} |`;
  return [format(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...lines.map(format)].join('\n');
}

export function writeResults(mode: string, result: unknown): string {
  const dir = path.join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${timestamp()}-${mode}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export const fmt = {
  rate: (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en') : 'n/a'),
  ms: (value: number) => (Number.isFinite(value) ? String(Math.round(value * 10) / 10) : 'n/a'),
  ratio: (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)} x` : 'n/a'),
  mib: (kib: number) => `${(kib / 1024).toFixed(1)} MiB`,
};
