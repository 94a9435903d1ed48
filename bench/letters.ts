import { performance } from 'node:perf_hooks';
import { ratificationRequestLetter } from '../src/domain/ratification-request-letter.js';
import type { Letter } from '../src/domain/letter.js';
import { renderLetterDocx } from '../src/letters/docx.js';
import { renderLetterPdf } from '../src/letters/pdf.js';
import { wtmrRequestToMaastricht } from '../test/helpers/ratification-requests.js';
import { log, machineInfo, parseArgs } from './lib/util.js';
import { table, writeResults } from './lib/report.js';

/**
 * How long one ratification request letter takes to render, for the decision whether to cache
 * the bytes: the WTMR request to Maastricht (two A4 pages), one render at a time in this process,
 * `--renders N` times (default 50) after the first (cold: fonts and modules load) and 3 warm-ups.
 * Each kind also shows its size and the event loop time it blocks (rendering is synchronous
 * work inside a promise: a render holds the loop for about its whole duration).
 */
const { values } = parseArgs(process.argv.slice(2));
const renders = Number(values.get('renders') ?? 50);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(name: string, render: (letter: Letter) => unknown, letter: Letter) {
  const coldStart = performance.now();
  const first = await render(letter);
  const cold = performance.now() - coldStart;
  for (let i = 0; i < 3; i++) await render(letter);
  const times: number[] = [];
  for (let i = 0; i < renders; i++) {
    const start = performance.now();
    await render(letter);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  const bytes = Buffer.isBuffer(first) ? first.length : JSON.stringify(first).length;
  return { name, renders, coldMs: cold, meanMs: mean, p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), maxMs: times.at(-1)!, bytes };
}

const machine = machineInfo('n/a');
log(`letters: ${renders} renders each; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);
const request = wtmrRequestToMaastricht();
const letter = ratificationRequestLetter(request);
const results = [
  await measure('letter model (domain)', () => ratificationRequestLetter(request), letter),
  await measure('PDF (pdfmake)', renderLetterPdf, letter),
  await measure('DOCX (docx)', renderLetterDocx, letter),
];
const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
process.stdout.write(
  `${table(
    ['what', 'cold ms', 'mean ms', 'p50 ms', 'p95 ms', 'max ms', 'bytes'],
    results.map((r) => [r.name, ms(r.coldMs), ms(r.meanMs), ms(r.p50Ms), ms(r.p95Ms), ms(r.maxMs), String(r.bytes)]),
  )}\n`,
);
log(`results: ${writeResults('letters', { machine, rssMiB: Math.round(process.memoryUsage().rss / 1024 / 1024), results })}`);
