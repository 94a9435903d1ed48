import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The Idempotency-Key a request is running under, visible to the transaction helper so that
 * it can mark the key `committed` inside the change's own transaction.
 */
export interface IdempotencyScope {
  apiKeyId: string;
  key: string;
  storeBody: boolean;
}

export const idempotencyScope = new AsyncLocalStorage<IdempotencyScope>();
