import { encodeEntryBundle, parseTilePath, tileWithin, TILE_WIDTH } from '../audit/tiles.js';
import { tileKey } from '../audit/tile-tree.js';
import { readEntries, readTile } from '../db/tlog-repository.js';
import { cosignatureLines, newestCosignedCheckpoint } from '../db/tlog-witness-repository.js';
import { DomainError } from '../domain/errors.js';
import type { ServiceContext } from './context.js';
import { requireLogSigner, witnessId, type TlogSettings } from './tlog-settings.js';

/**
 * What the log publishes: the checkpoint it serves and the tiles under it (C2SP tlog-tiles).
 * The served checkpoint is the newest one a quorum of the witnesses has cosigned (the newest one
 * of all without witnesses), with every cosignature collected for it; tiles and proofs never go
 * beyond it, so whatever a client fetches checks out against a checkpoint it can verify.
 */
export interface ServedCheckpoint {
  size: number;
  root: Buffer;
  /** The signed note, the witnesses' cosignature lines appended. */
  note: string;
  issuedAt: Date;
}

export async function servedCheckpoint(ctx: ServiceContext, settings: TlogSettings): Promise<ServedCheckpoint | undefined> {
  requireLogSigner(settings);
  const ids = settings.witnesses.map(witnessId);
  const row = await newestCosignedCheckpoint(ctx.database.db, ids, settings.quorum);
  if (row === undefined) return undefined;
  const lines = await cosignatureLines(ctx.database.db, row.size, ids);
  return { size: row.size, root: row.root, note: row.note + lines.join(''), issuedAt: row.issuedAt };
}

export async function requireServedCheckpoint(ctx: ServiceContext, settings: TlogSettings): Promise<ServedCheckpoint> {
  const served = await servedCheckpoint(ctx, settings);
  if (served === undefined) throw new DomainError('RESOURCE_NOT_FOUND', 'The transparency log has not published a checkpoint yet.');
  return served;
}

export interface TileContent {
  bytes: Buffer;
  /** A full tile or bundle never changes: it may be cached for good. */
  immutable: boolean;
}

const notFound = () => new DomainError('RESOURCE_NOT_FOUND', 'No such tile: not a canonical tile path, or beyond the latest checkpoint.');

/** A tile or entry bundle at `path` (`tile/...`), read as stored, never recomputed. */
export async function tileContent(ctx: ServiceContext, settings: TlogSettings, path: string): Promise<TileContent> {
  const tile = parseTilePath(path);
  if (tile === undefined) throw notFound();
  const served = await servedCheckpoint(ctx, settings);
  if (served === undefined || !tileWithin(tile, served.size)) throw notFound();
  const immutable = tile.width === TILE_WIDTH;
  if (tile.kind === 'entries') {
    const start = tile.index * TILE_WIDTH;
    const entries = await readEntries(ctx.database.db, start, start + tile.width);
    if (entries.length !== tile.width) throw notFound();
    return { bytes: encodeEntryBundle(entries), immutable };
  }
  const key = tileKey(tile.level, tile.index);
  const hashes = settings.fullTiles.get(key) ?? (await readTile(ctx.database.db, tile.level, tile.index));
  if (hashes === undefined || hashes.length < tile.width * 32) throw notFound();
  if (hashes.length === TILE_WIDTH * 32) settings.fullTiles.set(key, hashes);
  return { bytes: hashes.subarray(0, tile.width * 32), immutable };
}
