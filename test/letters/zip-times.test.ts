import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document, Packer, Paragraph } from 'docx';
import t from 'tap';
import { dosDateTime, withFixedZipTimes } from '../../src/letters/zip-times.js';

/**
 * Checked against Info-ZIP's unzip and zipinfo (Debian's unzip package), independent readers of
 * the format: the archive stays valid (every CRC checks) and every entry carries the new date.
 */
const UNZIP_MISSING = spawnSync('zipinfo', ['-h']).error === undefined ? false : 'zipinfo and unzip (Debian unzip) are not installed';

function infoZip(zip: Buffer): { test: string; times: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'zip-'));
  try {
    const path = join(dir, 'a.zip');
    writeFileSync(path, zip);
    const test = spawnSync('unzip', ['-tq', path], { encoding: 'utf8' });
    const info = spawnSync('zipinfo', ['-T', '-s', path], { encoding: 'utf8' });
    // zipinfo -T writes each entry's time as yyyymmdd.hhmmss.
    return { test: `${test.status} ${test.stdout.trim()}`, times: [...info.stdout.matchAll(/ (\d{8}\.\d{6}) /g)].map((m) => m[1]!) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const packed = () => Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('Geacht college,')] }] }));

t.test('MS-DOS dates count years from 1980, months and days from one; midnight is time 0', async (t) => {
  t.same(dosDateTime('1980-01-01'), { time: 0, date: 0x0021 });
  t.same(dosDateTime('2025-11-19'), { time: 0, date: (45 << 9) | (11 << 5) | 19 });
  t.same(dosDateTime('2107-12-31'), { time: 0, date: (127 << 9) | (12 << 5) | 31 });
  for (const bad of ['1979-12-31', '2108-01-01', '2025-13-01', '2025-11-00', '19-11-2025']) t.throws(() => dosDateTime(bad), RangeError, bad);
});

t.test('every entry of a packed document gets the letter date, and the archive stays valid', { skip: UNZIP_MISSING }, async (t) => {
  const original = await packed();
  const before = Buffer.from(original);
  const fixed = withFixedZipTimes(original, '2025-11-19');
  t.equal(fixed.length, original.length, 'only dates change');
  t.ok(original.equals(before), 'a copy: the input is left as it was');
  const { test, times } = infoZip(fixed);
  t.match(test, /^0 No errors detected/);
  t.ok(times.length > 5, `${times.length} entries`);
  t.same(new Set(times), new Set(['20251119.000000']));
  t.notSame(new Set(infoZip(original).times), new Set(['20251119.000000']), 'the packer dated them otherwise');
});

t.test('finds the directory behind an archive comment', { skip: UNZIP_MISSING }, async (t) => {
  const original = await packed();
  const comment = Buffer.from('ESZL besluitenregister');
  const withComment = Buffer.concat([original, comment]);
  withComment.writeUInt16LE(comment.length, original.length - 2);
  const { test, times } = infoZip(withFixedZipTimes(withComment, '2026-02-03'));
  t.match(test, /^0 No errors detected/);
  t.same(new Set(times), new Set(['20260203.000000']));
});

t.test('refuses what is not a ZIP archive', async (t) => {
  t.throws(() => withFixedZipTimes(Buffer.from('%PDF-1.7 not a zip at all, just some bytes'), '2025-11-19'), /no end of central directory/);
  const broken = await packed();
  broken.writeUInt32LE(0, broken.readUInt32LE(broken.length - 6));
  t.throws(() => withFixedZipTimes(broken, '2025-11-19'), /central directory header 0 missing/);
});
