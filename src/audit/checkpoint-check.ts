import { parseCheckpointText, type CheckpointBody } from './checkpoint.js';
import { openNote, type NoteVerifier } from './note.js';

/**
 * What an auditor's saved checkpoints say about an export: each must be signed by the service's
 * key, and the export's event at the checkpoint's seq must have the checkpoint's hash. Two
 * checkpoints of one origin that disagree on the hash at the same seq prove a fork: the service
 * showed two different histories. Pure: the offline verifier and the tests share it.
 */
export interface HeldCheckpoint {
  /** Where it came from (a file name), for the report. */
  label: string;
  body: CheckpointBody;
}

export type OpenedCheckpoint = { ok: true; checkpoint: HeldCheckpoint } | { ok: false; label: string; reason: string };

/** Verifies the signature of a saved checkpoint note and reads its body. */
export function openCheckpoint(label: string, note: string, verifier: NoteVerifier): OpenedCheckpoint {
  const opened = openNote(note, verifier);
  if (!opened.ok) return { ok: false, label, reason: opened.reason };
  try {
    return { ok: true, checkpoint: { label, body: parseCheckpointText(opened.text) } };
  } catch (error) {
    return { ok: false, label, reason: (error as Error).message };
  }
}

/** Every pair of checkpoints of one origin and seq with different hashes. */
export function findForks(checkpoints: readonly HeldCheckpoint[]): string[] {
  const forks: string[] = [];
  for (let i = 0; i < checkpoints.length; i++) {
    for (let j = i + 1; j < checkpoints.length; j++) {
      const [a, b] = [checkpoints[i]!, checkpoints[j]!];
      if (a.body.origin === b.body.origin && a.body.size === b.body.size && a.body.hash !== b.body.hash) {
        forks.push(`${a.label} and ${b.label} are both signed for seq ${a.body.size} of ${a.body.origin} with different hashes (${a.body.hash} and ${b.body.hash})`);
      }
    }
  }
  return forks;
}

/** The span of an export: the head it continues (0 and 64 zeros for a full export) and its last event. */
export interface ExportSpan {
  afterSeq: number;
  prevHash: string;
  lastSeq: number;
  /** The hashes of the export's events at the seqs asked for. */
  hashAt: ReadonlyMap<number, string>;
}

export type CheckpointVerdict = { status: 'match' | 'mismatch' | 'not-covered' | 'beyond'; message: string };

/** How the export compares with one checkpoint. `beyond`: the export ends before the checkpoint (a shortened trail). */
export function compareWithExport({ label, body }: HeldCheckpoint, span: ExportSpan): CheckpointVerdict {
  const where = `${label} (seq ${body.size})`;
  if (body.size > span.lastSeq) {
    return { status: 'beyond', message: `${where}: the export ends at seq ${span.lastSeq}, before the checkpoint: events were removed` };
  }
  const hash = body.size === span.afterSeq ? span.prevHash : span.hashAt.get(body.size);
  if (hash === undefined) return { status: 'not-covered', message: `${where}: before this export, not checked` };
  if (hash !== body.hash) {
    return { status: 'mismatch', message: `${where}: the export has ${hash} there, the checkpoint ${body.hash}: the trail was rewritten` };
  }
  return { status: 'match', message: `${where}: matches` };
}
