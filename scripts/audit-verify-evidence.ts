import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyEvidence } from '../src/audit/evidence.js';
import { majority } from '../src/audit/log-checkpoint.js';
import { KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, parseVkey, type KeyType, type Vkey } from '../src/audit/vkey.js';

/**
 * `npm run audit:verify -- evidence <file> --log-key <vkey> [--witness-key <vkey> ...] [--quorum N]`:
 * checks a decision's evidence (GET /api/v1/decisions/{id}/evidence, saved as a file) with the
 * keys alone: the checkpoint signed by the log and cosigned by at least N of the witnesses
 * (default: a majority of those given), every event's chain hash, every inclusion proof. A key
 * is the vkey text or the path of a file holding it. Exit 0 when all holds, 1 with the first
 * failure named, 2 on wrong usage.
 */
const USAGE = 'usage: npm run audit:verify -- evidence <evidence.json> --log-key <vkey or file> [--witness-key <vkey or file> ...] [--quorum N]\n';

function key(argument: string, type: KeyType, option: string): Vkey {
  const text = existsSync(argument) ? readFileSync(argument, 'utf8') : argument;
  try {
    return parseVkey(text, [type]);
  } catch (error) {
    throw new UsageError(`${option}: ${(error as Error).message}`);
  }
}

class UsageError extends Error {}

export function verifyEvidenceCommand(args: string[], out: (text: string) => void = (text) => process.stdout.write(text)): number {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'log-key': { type: 'string' }, 'witness-key': { type: 'string', multiple: true }, quorum: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('name one evidence file');
    if (values['log-key'] === undefined) throw new UsageError('--log-key is required: the log\'s vkey (GET /api/v1/tlog/status, logKey)');
    const log = key(values['log-key'], KEY_TYPE_ED25519, '--log-key');
    const witnesses = (values['witness-key'] ?? []).map((text) => key(text, KEY_TYPE_COSIGNATURE_V1, '--witness-key'));
    const quorum = values.quorum === undefined ? majority(witnesses.length) : Number(values.quorum);
    if (!Number.isInteger(quorum) || quorum < 0 || quorum > witnesses.length) throw new UsageError(`--quorum is a number from 0 to the ${witnesses.length} witness keys given`);
    let evidence: unknown;
    try {
      evidence = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
    } catch (error) {
      out(`verdict: INVALID\nfailure: the evidence file cannot be read as JSON: ${(error as Error).message}\n`);
      return 1;
    }
    const verdict = verifyEvidence(evidence, { log, witnesses, quorum });
    const lines = [...verdict.lines, `verdict: ${verdict.ok ? 'VALID' : 'INVALID'}`, ...(verdict.ok ? [] : [`failure: ${verdict.failure}`])];
    out(`${lines.join('\n')}\n`);
    return verdict.ok ? 0 : 1;
  } catch (error) {
    if (!(error instanceof UsageError) && (error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw error;
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
}
