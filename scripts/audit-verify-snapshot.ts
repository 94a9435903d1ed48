import { readFileSync } from 'node:fs';
import { reconcileFund, type SnapshotMoney } from '../src/audit/fund-reconciliation.js';

/**
 * `npm run audit:verify -- snapshot <snapshot.json>`: reconciles the ESZL fund from a snapshot
 * (GET /api/v1/exports/snapshot, saved as a file) alone. Per year it adds up the contributions
 * and the money of the decisions again and compares them with the fund view the snapshot holds:
 * it prints `contributed - binding - pending = uncommitted` per year, and exits 0 when every year
 * reconciles, 1 naming each year that does not, 2 on wrong usage or an unreadable file.
 */
const USAGE = 'usage: npm run audit:verify -- snapshot <snapshot.json>\n';

function isSnapshot(value: unknown): value is SnapshotMoney {
  const snapshot = value as Partial<SnapshotMoney> | null;
  return (
    typeof snapshot === 'object' &&
    snapshot !== null &&
    Array.isArray(snapshot.fundContributions) &&
    Array.isArray(snapshot.decisions) &&
    Array.isArray(snapshot.disbursements) &&
    Array.isArray(snapshot.fund?.years)
  );
}

export function verifySnapshotCommand(args: string[], out: (text: string) => void = (text) => process.stdout.write(text)): number {
  if (args.length !== 1) {
    out(`name one snapshot file\n${USAGE}`);
    return 2;
  }
  let snapshot: unknown;
  try {
    snapshot = JSON.parse(readFileSync(args[0]!, 'utf8'));
  } catch (error) {
    out(`${args[0]}: not a readable JSON file: ${(error as Error).message}\n`);
    return 2;
  }
  if (!isSnapshot(snapshot)) {
    out(`${args[0]}: not a snapshot with fundContributions, decisions, disbursements and fund (GET /api/v1/exports/snapshot)\n`);
    return 2;
  }
  let years;
  try {
    years = reconcileFund(snapshot);
  } catch (error) {
    out(`verdict: MISMATCH\nreason: ${(error as Error).message}\n`);
    return 1;
  }
  const lines: string[] = [];
  const failing: number[] = [];
  for (const { year, recomputed: r, fundView, mismatches } of years) {
    lines.push(
      `year ${year}: contributed ${r.contributedCents} - binding ${r.bindingCents} - pending ${r.pendingCents} = uncommitted ${r.uncommittedCents}` +
        ` (paid ${r.disbursedCents}): ${mismatches.length === 0 ? 'matches the fund view' : 'MISMATCH'}`,
    );
    for (const field of mismatches) lines.push(`  ${field}: the lists add up to ${r[field]}, the fund view says ${fundView[field]}`);
    if (mismatches.length > 0) failing.push(year);
  }
  lines.push(failing.length === 0 ? 'verdict: RECONCILED' : `verdict: MISMATCH in ${failing.join(', ')}`);
  out(`${lines.join('\n')}\n`);
  return failing.length === 0 ? 0 : 1;
}
