import t from 'tap';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  entriesPath,
  formatTileIndex,
  parseTilePath,
  partialWidth,
  tilePath,
  tilesForSize,
  tileWithin,
} from '../../src/audit/tiles.js';

/**
 * The paths and examples of C2SP tlog-tiles, and the path tests of Tessera
 * (transparency-dev/trillian-tessera api/layout/paths_test.go), which implements it.
 */
t.test('writes tile indexes in groups of three digits, every group but the last with an x', async (t) => {
  t.equal(formatTileIndex(1234067), 'x001/x234/067', 'the spec\'s own example');
  t.equal(formatTileIndex(0), '000');
  t.equal(formatTileIndex(999), '999');
  t.equal(formatTileIndex(1000), 'x001/000');
  t.equal(formatTileIndex(455667), 'x455/667');
  t.equal(formatTileIndex(123456789000), 'x123/x456/x789/000');
  t.throws(() => formatTileIndex(-1), RangeError);
});

t.test('writes the paths of Tessera\'s tests', async (t) => {
  t.equal(tilePath({ level: 0, index: 0, width: 256 }), 'tile/0/000');
  t.equal(tilePath({ level: 0, index: 0, width: 255 }), 'tile/0/000.p/255');
  t.equal(tilePath({ level: 1, index: 0, width: partialWidth(1, 256) }), 'tile/1/000.p/1');
  t.equal(tilePath({ level: 1, index: 0, width: partialWidth(1, 1024) }), 'tile/1/000.p/4');
  t.equal(tilePath({ level: 15, index: 455667, width: 256 }), 'tile/15/x455/667');
  t.equal(tilePath({ level: 3, index: 1234567, width: 256 }), 'tile/3/x001/x234/567');
  t.equal(entriesPath({ index: 0, width: partialWidth(0, 8) }), 'tile/entries/000.p/8');
  t.equal(entriesPath({ index: 255, width: partialWidth(0, 255 * 256 - 3) }), 'tile/entries/255.p/253');
  t.equal(entriesPath({ index: 123456789, width: 256 }), 'tile/entries/x123/x456/789');
  t.throws(() => tilePath({ level: 64, index: 0, width: 256 }), RangeError);
  t.throws(() => tilePath({ level: 0, index: 0, width: 0 }), RangeError);
});

t.test('reads canonical paths and refuses every other spelling', async (t) => {
  t.same(parseTilePath('tile/0/x001/x234/067'), { kind: 'hashes', level: 0, index: 1234067, width: 256 });
  t.same(parseTilePath('tile/0/x001/x234/067.p/89'), { kind: 'hashes', level: 0, index: 1234067, width: 89 });
  t.same(parseTilePath('tile/63/x999/x999/x999/x999/999.p/255'), { kind: 'hashes', level: 63, index: 999999999999999, width: 255 });
  t.same(parseTilePath('tile/0/001'), { kind: 'hashes', level: 0, index: 1, width: 256 });
  t.same(parseTilePath('tile/entries/x123/x456/789'), { kind: 'entries', level: 0, index: 123456789, width: 256 });
  t.same(parseTilePath('tile/entries/000.p/8'), { kind: 'entries', level: 0, index: 0, width: 8 });
  const refused = [
    'tile/0/x001/x234/067.p/', 'tile/0/x001/x234/067.p', 'tile/0/x001/x234/', 'tile/0/x001/x234', 'tile/0/x001/', 'tile/0/x001',
    'tile/1/x001/.p/abc', 'tile/64/x001/002', 'tile/-1/x001/002', 'tile/abc/x001/002', 'tile/8/001/002', 'tile/8/x001/0002',
    'tile/8/x001/-002', 'tile/8/x001/002.p/256',
    // and more of our own: leading zeros, needless groups, widths 0 and 256, junk
    'tile/00/000', 'tile/01/000', 'tile/0/x000/001', 'tile/0/000.p/0', 'tile/0/000.p/01', 'tile/0/000.p/256', 'tile/0/1', 'tile/0/0001',
    'tile/0/x1/000', 'tile/0/X001/000', 'tile/entries/x000/001', 'tile/entries/000.p/0', 'tile/entries', 'tile/0', 'tile',
    'tiles/0/000', 'tile/0/000/', 'tile/0//000', 'tile/0/000.p/8/9', 'tile/63/x999/x999/x999/x999/x999/999.p/255' /* Tessera's, but beyond 2^53 */, 'tile/0/000.q/8',
  ];
  for (const path of refused) t.equal(parseTilePath(path), undefined, path);
});

t.test('knows which tiles a tree has, as the spec counts them for 70,000 and 256 leaves', async (t) => {
  t.same(tilesForSize(70_000), [
    { level: 0, full: 273, partial: 112 },
    { level: 1, full: 1, partial: 17 },
    { level: 2, full: 0, partial: 1 },
  ]);
  t.same(tilesForSize(256), [
    { level: 0, full: 1, partial: 0 },
    { level: 1, full: 0, partial: 1 },
  ]);
  t.same(tilesForSize(0), []);
  t.equal(tileWithin({ level: 0, index: 272, width: 256 }, 70_000), true);
  t.equal(tileWithin({ level: 0, index: 273, width: 112 }, 70_000), true);
  t.equal(tileWithin({ level: 0, index: 273, width: 113 }, 70_000), false);
  t.equal(tileWithin({ level: 0, index: 273, width: 256 }, 70_000), false);
  t.equal(tileWithin({ level: 1, index: 0, width: 256 }, 70_000), true);
  t.equal(tileWithin({ level: 1, index: 1, width: 17 }, 70_000), true);
  t.equal(tileWithin({ level: 2, index: 0, width: 2 }, 70_000), false);
});

t.test('bundles entries with big-endian uint16 lengths and reads them back', async (t) => {
  const entries = [Buffer.alloc(32, 0xab), Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(300, 1)];
  const bundle = encodeEntryBundle(entries);
  t.same(bundle.subarray(0, 3), Buffer.from([0x00, 0x20, 0xab]));
  t.same(bundle.subarray(34, 36), Buffer.from([0x00, 0x00]));
  t.same(bundle.subarray(39, 41), Buffer.from([0x01, 0x2c]));
  t.same(decodeEntryBundle(bundle), entries);
  t.throws(() => decodeEntryBundle(Buffer.from([0x00])), /length prefix/);
  t.throws(() => decodeEntryBundle(Buffer.from([0x00, 0x05, 1, 2])), /inside an entry/);
  t.throws(() => encodeEntryBundle([Buffer.alloc(65_536)]), RangeError);
});
