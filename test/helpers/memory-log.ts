import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { leafHash } from '../../src/audit/merkle.js';
import { consistencyProof, treeRoot } from '../../src/audit/merkle-proofs.js';
import { noteSigner, type NoteSigner } from '../../src/audit/note.js';
import { signLogCheckpoint } from '../../src/audit/log-checkpoint.js';
import { appendLeaves, memoryNodeReader, tileKey, type StoredTile } from '../../src/audit/tile-tree.js';
import { partialWidth } from '../../src/audit/tiles.js';

/** A transparency log in memory, for the tests of witnesses and verifiers: leaves, checkpoints, proofs. */
export class MemoryLog {
  readonly signer: NoteSigner;
  private readonly tiles = new Map<string, StoredTile>();
  size = 0;

  constructor(origin = 'eszl-decisions/log', key: KeyObject = generateKeyPairSync('ed25519').privateKey) {
    this.signer = noteSigner(origin, key);
  }

  get vkey(): string {
    return this.signer.verifierKey;
  }

  append(count: number, label = 'entry'): this {
    const leaves = Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`${label} ${this.size + i}`)));
    const edge = [...this.tiles.values()].filter((t) => t.index === Math.floor(this.size / 256 ** (t.level + 1)) && partialWidth(t.level, this.size) > 0);
    for (const tile of appendLeaves(this.size, edge, leaves)) this.tiles.set(tileKey(tile.level, tile.index), tile);
    this.size += count;
    return this;
  }

  private reader() {
    return memoryNodeReader([...this.tiles.values()]);
  }

  root(size = this.size): Promise<Buffer> {
    return treeRoot(size, this.reader());
  }

  async checkpoint(size = this.size): Promise<string> {
    return signLogCheckpoint(this.signer, { size, root: await this.root(size) });
  }

  proof(from: number, to = this.size): Promise<Buffer[]> {
    return consistencyProof(from, to, this.reader());
  }
}

/** The note text of a signed note (up to and with its last newline before the empty line). */
export const noteText = (note: string) => note.slice(0, note.lastIndexOf('\n\n') + 1);
