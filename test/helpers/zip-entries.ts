import { inflateRawSync } from 'node:zlib';

/**
 * The entries of a ZIP archive (a DOCX), read through its central directory with node:zlib: a
 * reader of our own, independent of the library that packed the archive. Enough for the tests:
 * stored or deflated entries, no ZIP64.
 */
export interface ZipEntry {
  name: string;
  /** MS-DOS date and time of the entry, as in its central directory header and its local header. */
  dosDate: number;
  dosTime: number;
  localDosDate: number;
  localDosTime: number;
  data: Buffer;
}

export function zipEntries(zip: Buffer): Map<string, ZipEntry> {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('no end of central directory record');
  const entries = new Map<string, ZipEntry>();
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < zip.readUInt16LE(eocd + 10); i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressedSize);
    entries.set(name, {
      name,
      dosTime: zip.readUInt16LE(at + 12),
      dosDate: zip.readUInt16LE(at + 14),
      localDosTime: zip.readUInt16LE(local + 10),
      localDosDate: zip.readUInt16LE(local + 12),
      data: method === 0 ? Buffer.from(raw) : inflateRawSync(raw),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** The text of a WordprocessingML part, one line per paragraph (`w:p`) and line break, entities decoded. */
export function wordText(xml: string): string {
  const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)]
    .map((p) => [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<w:(tab|br)\/>/g)].map((m) => (m[1] !== undefined ? decode(m[1]) : m[2] === 'tab' ? '\t' : '\n')).join(''))
    .join('\n');
}
