/**
 * Tiles and entry bundles of C2SP tlog-tiles: the tree as sequences of 256 consecutive hashes
 * at every eighth level. The n-th tile at level l holds MTH(D[(n*256 + i) * 256^l : (n*256 + i
 * + 1) * 256^l]) for i in 0..255; the rightmost tiles of a tree are partial (1..255 hashes, at
 * `.p/<W>`). Paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, N in zero-padded
 * groups of three digits, every group but the last prefixed with `x` (1234067 is
 * `x001/x234/067`). Parsing accepts exactly the canonical spelling, so that one tile has one URL.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
export const MAX_LEVEL = 63;

export interface TileId {
  /** 0..63 for hash tiles; entry bundles sit at level 0. */
  level: number;
  index: number;
  /** 1..256; 256 is a full tile, anything less a partial one. */
  width: number;
}

export type TilePath = ({ kind: 'hashes' } | { kind: 'entries' }) & TileId;

/** 256^level, the number of leaves under one hash of a level-`level` tile. */
export function leavesPerHash(level: number): number {
  return TILE_WIDTH ** level;
}

/** `x001/x234/067` for 1234067. */
export function formatTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`a tile index is a non-negative integer, not ${index}`);
  let digits = String(index);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = digits.match(/.{3}/g)!;
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

function suffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError(`a tile width is 1..256, not ${width}`);
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

export function tilePath({ level, index, width }: TileId): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) throw new RangeError(`a tile level is 0..63, not ${level}`);
  return `tile/${level}/${formatTileIndex(index)}${suffix(width)}`;
}

export function entriesPath({ index, width }: Omit<TileId, 'level'>): string {
  return `tile/entries/${formatTileIndex(index)}${suffix(width)}`;
}

const LEVEL = /^(0|[1-9][0-9]?)$/;
const GROUP = /^x[0-9]{3}$/;
const LAST = /^[0-9]{3}$/;
const WIDTH = /^[1-9][0-9]{0,2}$/;

/**
 * Reads a path after the log's prefix (`tile/0/x001/x234/067.p/89`); undefined for anything
 * that is not the canonical path of a tile: a level above 63 or with a leading zero, index
 * groups not of three digits or a needless leading `x000`, a width outside 1..255 or with a
 * leading zero, an index beyond 2^53.
 */
export function parseTilePath(path: string): TilePath | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) return undefined;
  const kind = parts[1] === 'entries' ? 'entries' : 'hashes';
  if (kind === 'hashes' && !LEVEL.test(parts[1]!)) return undefined;
  const level = kind === 'entries' ? 0 : Number(parts[1]);
  if (level > MAX_LEVEL) return undefined;
  let groups = parts.slice(2);
  let width = TILE_WIDTH;
  const partial = groups.length >= 2 && groups[groups.length - 2]!.endsWith('.p');
  if (partial) {
    const w = groups[groups.length - 1]!;
    if (!WIDTH.test(w) || Number(w) >= TILE_WIDTH) return undefined;
    width = Number(w);
    groups = [...groups.slice(0, -2), groups[groups.length - 2]!.slice(0, -2)];
  }
  const last = groups[groups.length - 1]!;
  const leading = groups.slice(0, -1);
  if (!LAST.test(last) || !leading.every((group) => GROUP.test(group))) return undefined;
  if (leading[0] === 'x000') return undefined;
  const index = Number(leading.map((group) => group.slice(1)).join('') + last);
  if (!Number.isSafeInteger(index)) return undefined;
  return { kind, level, index, width };
}

/** Hashes in the partial tile of `level` for a tree of `size` leaves (0: there is none). */
export function partialWidth(level: number, size: number): number {
  return Math.floor(size / leavesPerHash(level)) % TILE_WIDTH;
}

/** Whether the tree of `size` leaves has every hash of this tile (a prefix of it, for a partial one). */
export function tileWithin({ level, index, width }: TileId, size: number): boolean {
  return (index * TILE_WIDTH + width) * leavesPerHash(level) <= size;
}

/** Every tile of a tree of `size` leaves: the full ones, then the partial one, level by level. */
export function tilesForSize(size: number): { level: number; full: number; partial: number }[] {
  const levels: { level: number; full: number; partial: number }[] = [];
  for (let level = 0; leavesPerHash(level) <= size; level++) {
    levels.push({ level, full: Math.floor(size / leavesPerHash(level + 1)), partial: partialWidth(level, size) });
  }
  return levels;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (entry.length > 0xffff) throw new RangeError('an entry of a bundle is at most 65535 bytes');
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, Buffer.from(entry));
  }
  return Buffer.concat(parts);
}

export function decodeEntryBundle(bundle: Uint8Array): Buffer[] {
  const bytes = Buffer.from(bundle);
  const entries: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new Error('an entry bundle ends inside a length prefix');
    const length = bytes.readUInt16BE(at);
    if (at + 2 + length > bytes.length) throw new Error('an entry bundle ends inside an entry');
    entries.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return entries;
}
