/**
 * Sets the modification time of every entry of a ZIP archive to one moment, in place of the
 * moment it was packed: a DOCX is a ZIP, and the docx library stamps each entry with the wall
 * clock, so without this the same letter would give other bytes every second.
 *
 * Walks the archive as the ZIP specification (PKWARE APPNOTE 6.3, sections 4.3.7, 4.3.12 and
 * 4.3.16) lays it out: the end-of-central-directory record, then each central directory header and
 * the local file header it points to, each holding the MS-DOS time and date of its entry.
 * Only archives without ZIP64 records, which a letter never needs.
 */
const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;

/** MS-DOS time and date of a `YYYY-MM-DD` day at midnight (the format has no time zone). */
export function dosDateTime(date: string): { time: number; date: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  if (year < 1980 || year > 2107 || month < 1 || month > 12 || day < 1 || day > 31) throw new RangeError(`${date} has no MS-DOS date`);
  return { time: 0, date: ((year - 1980) << 9) | (month << 5) | day };
}

function endOfCentralDirectory(zip: Buffer): number {
  // The record ends the file, followed only by a comment of at most 65,535 bytes.
  const earliest = Math.max(0, zip.length - EOCD_SIZE - 0xffff);
  for (let at = zip.length - EOCD_SIZE; at >= earliest; at--) {
    if (zip.readUInt32LE(at) === EOCD_SIGNATURE && at + EOCD_SIZE + zip.readUInt16LE(at + 20) === zip.length) return at;
  }
  throw new Error('not a ZIP archive: no end of central directory record');
}

/** A copy of `zip` whose every entry is dated `date` at 00:00. */
export function withFixedZipTimes(zip: Buffer, date: string): Buffer {
  const stamp = dosDateTime(date);
  const out = Buffer.from(zip);
  const eocd = endOfCentralDirectory(out);
  const entries = out.readUInt16LE(eocd + 10);
  let at = out.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (out.readUInt32LE(at) !== CENTRAL_SIGNATURE) throw new Error(`not a ZIP archive: central directory header ${i} missing`);
    out.writeUInt16LE(stamp.time, at + 12);
    out.writeUInt16LE(stamp.date, at + 14);
    const local = out.readUInt32LE(at + 42);
    if (out.readUInt32LE(local) !== LOCAL_SIGNATURE) throw new Error(`not a ZIP archive: local header of entry ${i} missing`);
    out.writeUInt16LE(stamp.time, local + 10);
    out.writeUInt16LE(stamp.date, local + 12);
    at += 46 + out.readUInt16LE(at + 28) + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}
