import type { KeyPrincipal } from '../domain/access.js';

/** The channel the `api_keys` trigger (migration 0004) notifies on every change to a stored key. */
export const API_KEYS_CHANGED_CHANNEL = 'eszl_api_keys_changed';

export interface PrincipalCacheOptions {
  /** How long an entry may be used at most; 0 switches the cache off. */
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

/**
 * The principals of API keys this instance has recently authenticated, by key hash, so that a
 * request need not ask the database who sent it. It stays right across instances because every
 * change to a stored key notifies all instances on commit and each then forgets everything;
 * while the notification channel is down nothing is cached or served from the cache. Unknown
 * and revoked keys are never cached: only a successful lookup is.
 *
 * The instance that revokes a key forgets at once, before it answers; another instance forgets
 * when the notification arrives (milliseconds after the commit). `ttlMs` bounds any entry's
 * life should a notification ever be missed on a connection that still looks healthy.
 */
export class PrincipalCache {
  readonly #entries = new Map<string, { principal: KeyPrincipal; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  #live = false;
  #generation = 0;

  constructor(options: PrincipalCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** True while invalidations can arrive, so entries may be used. */
  get live(): boolean {
    return this.#live && this.#ttlMs > 0;
  }

  /** Take this before asking the database; `set` refuses the answer if anything changed meanwhile. */
  get generation(): number {
    return this.#generation;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(keyHash: string): KeyPrincipal | undefined {
    if (!this.live) return undefined;
    const entry = this.#entries.get(keyHash);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(keyHash);
      return undefined;
    }
    return entry.principal;
  }

  set(keyHash: string, principal: KeyPrincipal, generation: number): void {
    if (!this.live || generation !== this.#generation) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(keyHash, { principal, expiresAt: this.#now() + this.#ttlMs });
  }

  /** Forget everything, and refuse answers to lookups that started before now. */
  invalidate(): void {
    this.#generation++;
    this.#entries.clear();
  }

  /** The notification channel is (again) listening: start afresh. */
  ready(): void {
    this.invalidate();
    this.#live = true;
  }

  /** The notification channel is down: changes may go unnoticed, so stop caching. */
  lost(): void {
    this.#live = false;
    this.invalidate();
  }
}
