import { LRUCache } from 'lru-cache';

/**
 * The rendered letters of this instance by their ETag: rendering a PDF takes about 200 ms of the
 * event loop (bench/letters.ts), and a college's staff fetch the same letter again and again.
 * The ETag is the hash of the letter's data and its format, so an entry is never stale: a changed
 * register state has another tag. Bounded by count: a letter is some 50 to 100 KB.
 */
export class LetterCache {
  private readonly entries: LRUCache<string, Buffer>;
  /** Renders this cache has run: what a test counts to see that a second request was served from it. */
  renders = 0;

  constructor(maxEntries = 64) {
    this.entries = new LRUCache<string, Buffer>({ max: maxEntries });
  }

  async get(etag: string, render: () => Promise<Buffer>): Promise<Buffer> {
    const cached = this.entries.get(etag);
    if (cached !== undefined) return cached;
    this.renders += 1;
    const bytes = await render();
    this.entries.set(etag, bytes);
    return bytes;
  }

  get size(): number {
    return this.entries.size;
  }
}
