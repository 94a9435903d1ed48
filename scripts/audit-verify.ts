import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ChainVerifier, GENESIS_HASH, type AuditEvent } from '../src/audit/chain.js';
import { compareWithExport, findForks, openCheckpoint, type HeldCheckpoint } from '../src/audit/checkpoint-check.js';
import { parseVerifierKey } from '../src/audit/note.js';
import { applyDecisionEvent, asOfMoment, decisionOnDay } from '../src/domain/decision-history.js';
import type { RuleTerms } from '../src/domain/statute.js';
import type { Decision } from '../src/domain/records.js';

/**
 * Offline verifier for auditors; needs no database and runs in constant memory with progress on
 * large files. Exit code 0 when everything checked holds, 1 when not, 2 on wrong usage.
 *
 *   npm run audit:verify -- export.ndjson [--head <hash>]
 *     recomputes the SHA-256 chain and prints the verdict, count and head hash
 *   ... --after-seq <N> --prev-hash <hash>
 *     verifies an incremental export (afterSeq=N) that continues one ending at seq N with that hash
 *   ... --checkpoint <file> [--checkpoint <file> ...] --public-key <verifier key, or a file holding it>
 *     checks each saved checkpoint's signature and that the export has its hash at its seq;
 *     two checkpoints that disagree on one seq are reported as a fork
 *   ... --decision <id> --as-of <RFC 3339 timestamp or YYYY-MM-DD>
 *     prints the decision as it stood then, rebuilt from the export
 *   npm run audit:verify -- evidence <file> --log-key <vkey> [--witness-key <vkey> ...] [--quorum N]
 *     checks a decision's evidence of the transparency log (audit-verify-evidence.ts)
 *   npm run audit:verify -- snapshot <snapshot.json>
 *     reconciles the fund from a snapshot per year (audit-verify-snapshot.ts)
 */
if (process.argv[2] === 'evidence') {
  const { verifyEvidenceCommand } = await import('./audit-verify-evidence.js');
  process.exit(verifyEvidenceCommand(process.argv.slice(3)));
}
if (process.argv[2] === 'snapshot') {
  const { verifySnapshotCommand } = await import('./audit-verify-snapshot.js');
  process.exit(verifySnapshotCommand(process.argv.slice(3)));
}
const USAGE =
  'usage: npm run audit:verify -- <export.ndjson> [--head <hash>] [--after-seq <N> --prev-hash <hash>]\n' +
  '       [--checkpoint <file> ... --public-key <key or file>] [--decision <id> --as-of <timestamp>]\n' +
  '       npm run audit:verify -- evidence <evidence.json> --log-key <vkey> [--witness-key <vkey> ...] [--quorum N]\n' +
  '       npm run audit:verify -- snapshot <snapshot.json>\n';

function usage(message: string): never {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(2);
}

let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      head: { type: 'string' },
      'after-seq': { type: 'string' },
      'prev-hash': { type: 'string' },
      checkpoint: { type: 'string', multiple: true },
      'public-key': { type: 'string' },
      decision: { type: 'string' },
      'as-of': { type: 'string' },
    },
  });
}
try {
  parsed = parse();
} catch (error) {
  usage((error as Error).message);
}
const { values: options, positionals } = parsed;
const file = positionals[0];
if (file === undefined || positionals.length > 1) usage('name one export file');

const HASH = /^[0-9a-f]{64}$/;
if ((options['after-seq'] === undefined) !== (options['prev-hash'] === undefined)) usage('--after-seq and --prev-hash go together');
const afterSeq = options['after-seq'] === undefined ? 0 : Number(options['after-seq']);
const prevHash = options['prev-hash'] ?? GENESIS_HASH;
if (!Number.isSafeInteger(afterSeq) || afterSeq < 0 || !HASH.test(prevHash)) usage('--after-seq is a seq and --prev-hash a lower-case hex SHA-256');
if ((options.decision === undefined) !== (options['as-of'] === undefined)) usage('--decision and --as-of go together');
const checkpointFiles = options.checkpoint ?? [];
if (checkpointFiles.length > 0 && options['public-key'] === undefined) usage('--checkpoint needs --public-key');

const report: string[] = [];
let problems = false;

// Checkpoints: signatures first, then forks; their hashes are compared with the export below.
const held: HeldCheckpoint[] = [];
if (checkpointFiles.length > 0) {
  const keyArgument = options['public-key']!;
  let verifier;
  try {
    verifier = parseVerifierKey(existsSync(keyArgument) ? readFileSync(keyArgument, 'utf8') : keyArgument);
  } catch (error) {
    usage(`--public-key: ${(error as Error).message}`);
  }
  for (const path of checkpointFiles) {
    const opened = openCheckpoint(path, readFileSync(path, 'utf8'), verifier);
    if (opened.ok) held.push(opened.checkpoint);
    else {
      problems = true;
      report.push(`checkpoint: ${path}: not a valid checkpoint of this key: ${opened.reason}`);
    }
  }
  for (const fork of findForks(held)) {
    problems = true;
    report.push(`fork: ${fork}`);
  }
}
const wanted = new Set(held.map((checkpoint) => checkpoint.body.size));
const hashAt = new Map<number, string>();

// The decision as of a moment: its state is folded event by event, in constant memory.
const asOf = options['as-of'] === undefined ? undefined : asOfMoment(options['as-of'], new Date());
if (options['as-of'] !== undefined && Number.isNaN(asOf?.instant.getTime())) usage('--as-of is an RFC 3339 timestamp or a date');
let decision: Decision | undefined;
const rules: RuleTerms[] = [];

const size = (await stat(file)).size;
const input = createReadStream(file, { encoding: 'utf8' });
const chain = new ChainVerifier({ seq: afterSeq, hash: prevHash });
let line = 0;
let lastSeq = afterSeq;
let unreadable: number | null = null;
let lastReport = Date.now();

for await (const text of createInterface({ input, crlfDelay: Infinity })) {
  line++;
  if (text.trim() === '') continue;
  let event: AuditEvent;
  try {
    event = JSON.parse(text) as AuditEvent;
  } catch {
    unreadable ??= line;
    chain.add({ seq: Number.NaN } as AuditEvent);
    continue;
  }
  chain.add(event);
  if (Number.isSafeInteger(event.seq)) lastSeq = event.seq;
  if (wanted.has(event.seq)) hashAt.set(event.seq, event.hash);
  if (asOf !== undefined && Date.parse(event.occurredAt) <= asOf.instant.getTime()) {
    if (event.resourceType === 'decision' && event.resourceId === options.decision) decision = applyDecisionEvent(decision, event.action, event.data);
    const rule = event.action === 'statute_rule.created' ? (event.data as { statuteRule?: RuleTerms }).statuteRule : undefined;
    if (rule !== undefined) rules.push({ version: rule.version, effectiveFrom: rule.effectiveFrom, thresholdCents: rule.thresholdCents });
  }
  if (Date.now() - lastReport > 1_000) {
    lastReport = Date.now();
    const percent = ((input.bytesRead / Math.max(size, 1)) * 100).toFixed(1);
    process.stderr.write(`  ${line.toLocaleString('en')} events read (${percent}%)\n`);
  }
}

const verdict = chain.verdict();
let valid = verdict.valid && !problems;
if (verdict.valid && options.head !== undefined && options.head !== verdict.headHash) valid = false;
for (const checkpoint of held) {
  const result = compareWithExport(checkpoint, { afterSeq, prevHash, lastSeq, hashAt });
  if (result.status === 'mismatch' || result.status === 'beyond') valid = false;
  report.push(`checkpoint: ${result.message}`);
}
const firstInvalid = verdict.firstInvalidSeq ?? (verdict.valid && !valid && options.head !== undefined && options.head !== verdict.headHash ? 'head hash differs from --head' : 'none');
const lines = [
  `verdict: ${valid ? 'VALID' : 'INVALID'}`,
  `count: ${verdict.count}`,
  `headHash: ${verdict.headHash}`,
  `firstInvalidSeq: ${firstInvalid}`,
  ...(unreadable !== null ? [`first unreadable line: ${unreadable}`] : []),
  ...report,
];
if (asOf !== undefined) {
  lines.push(
    decision === undefined
      ? `decision: none (${options.decision} has no event in this export up to ${asOf.instant.toISOString()})`
      : `decision: ${JSON.stringify(decisionOnDay(decision, asOf.day, rules))}`,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(valid ? 0 : 1);
