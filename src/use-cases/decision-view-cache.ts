import { LRUCache } from 'lru-cache';

/**
 * A decision's view as a client receives it: the serialised JSON as UTF-8 bytes and its entity
 * tag. Bytes, not a string: a response then writes them without encoding them again, and a page
 * joins them by copying (a string built up by a serialiser is a tree of pieces that every join
 * walks again).
 */
export interface RenderedView {
  body: Buffer;
  etag: string;
}

interface Entry {
  version: string;
  today: string;
  view: RenderedView;
}

/**
 * Rendered decision views held by this instance, by decision id, at most `maxEntries` (least
 * recently used go first). An entry is only ever used for the version it was rendered from
 * (`findDecisionViewVersion`, read from PostgreSQL on every request) and the Amsterdam date it
 * was rendered for (open conditions turn overdue, a ratification deadline passes), so a change
 * made by any instance is never answered from here: nothing is shared through this memory.
 */
export class DecisionViewCache {
  readonly #entries: LRUCache<string, Entry>;

  constructor(maxEntries: number) {
    this.#entries = new LRUCache<string, Entry>({ max: maxEntries });
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string, version: string, today: string): RenderedView | undefined {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.version === version && entry.today === today ? entry.view : undefined;
  }

  set(id: string, version: string, today: string, view: RenderedView): void {
    this.#entries.set(id, { version, today, view });
  }
}
