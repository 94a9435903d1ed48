import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { ChainVerifier, type AuditEvent } from '../src/audit/chain.js';

/**
 * Offline verifier for auditors: `npm run audit:verify -- export.ndjson [--head <hash>]`.
 * Needs no database: it recomputes the SHA-256 chain of an NDJSON export line by line in
 * constant memory, shows progress on large files, and prints the verdict, count and head hash.
 * Exit code 0 when valid, 1 when not, 2 on wrong usage.
 */
const args = process.argv.slice(2);
const headIndex = args.indexOf('--head');
const expectedHead = headIndex >= 0 ? args.splice(headIndex, 2)[1] : undefined;
const file = args[0];
if (file === undefined) {
  process.stderr.write('usage: npm run audit:verify -- <export.ndjson> [--head <expected head hash>]\n');
  process.exit(2);
}

const size = (await stat(file)).size;
const input = createReadStream(file, { encoding: 'utf8' });
const verifier = new ChainVerifier();
let line = 0;
let unreadable: number | null = null;
let lastReport = Date.now();

for await (const text of createInterface({ input, crlfDelay: Infinity })) {
  line++;
  if (text.trim() === '') continue;
  try {
    verifier.add(JSON.parse(text) as AuditEvent);
  } catch {
    unreadable ??= line;
    verifier.add({ seq: Number.NaN } as AuditEvent);
  }
  if (Date.now() - lastReport > 1_000) {
    lastReport = Date.now();
    const percent = ((input.bytesRead / Math.max(size, 1)) * 100).toFixed(1);
    process.stderr.write(`  ${line.toLocaleString('en')} events read (${percent}%)\n`);
  }
}

const verdict = verifier.verdict();
let valid = verdict.valid;
if (valid && expectedHead !== undefined && expectedHead !== verdict.headHash) valid = false;
process.stdout.write(
  [
    `verdict: ${valid ? 'VALID' : 'INVALID'}`,
    `count: ${verdict.count}`,
    `headHash: ${verdict.headHash}`,
    `firstInvalidSeq: ${verdict.firstInvalidSeq ?? (valid ? 'none' : 'head hash differs from --head')}`,
    ...(unreadable !== null ? [`first unreadable line: ${unreadable}`] : []),
  ].join('\n') + '\n',
);
process.exit(valid ? 0 : 1);
