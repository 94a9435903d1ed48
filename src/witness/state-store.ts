import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { CosignedState } from './add-checkpoint.js';

/**
 * The witness's memory: per log origin, the latest checkpoint it cosigned. The spec asks that
 * the check of the old size and the update be atomic, and that the new checkpoint be persisted
 * before the answer. Here: one lock per origin (a queue of promises) around check, sign and
 * write; a write goes to a temporary file that is fsynced, renamed over the state file, and the
 * directory fsynced, so after a crash the file holds the old state or the new one, never a
 * torn one, and an answered cosignature is never forgotten.
 */
export interface StoredState extends CosignedState {
  origin: string;
  /** The cosigned checkpoint, its signatures and ours included. */
  note: string;
  cosignedAt: string;
}

interface StateFile {
  origin: string;
  size: number;
  root: string;
  note: string;
  cosignedAt: string;
}

const fileName = (origin: string) => `log-${createHash('sha256').update(origin).digest('hex').slice(0, 32)}.json`;

export class StateStore {
  private readonly states = new Map<string, StoredState>();
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(readonly dir: string) {}

  /** Opens (creating it when missing) the data directory and reads every state in it. */
  static open(dir: string): StateStore {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const store = new StateStore(dir);
    for (const name of readdirSync(dir)) {
      if (!/^log-[0-9a-f]{32}\.json$/.test(name)) continue;
      const file = JSON.parse(readFileSync(join(dir, name), 'utf8')) as StateFile;
      if (fileName(file.origin) !== name || !Number.isSafeInteger(file.size)) throw new Error(`${join(dir, name)} is not a witness state file`);
      store.states.set(file.origin, { origin: file.origin, size: file.size, root: Buffer.from(file.root, 'base64'), note: file.note, cosignedAt: file.cosignedAt });
    }
    return store;
  }

  get(origin: string): StoredState | undefined {
    return this.states.get(origin);
  }

  /** Runs `work` with the origin's lock held: no other work on that origin runs until it settles. */
  withLock<T>(origin: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(origin) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(origin, settled);
    void settled.then(() => {
      if (this.locks.get(origin) === settled) this.locks.delete(origin);
    });
    return next;
  }

  /** Persists the new state durably, then makes it the one `get` answers. Call with the origin's lock held. */
  async save(state: StoredState): Promise<void> {
    const body: StateFile = { origin: state.origin, size: state.size, root: state.root.toString('base64'), note: state.note, cosignedAt: state.cosignedAt };
    const target = join(this.dir, fileName(state.origin));
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(body)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.states.set(state.origin, state);
  }
}
