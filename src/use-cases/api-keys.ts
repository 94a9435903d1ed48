import { hash, randomBytes } from 'node:crypto';
import type { KeyPrincipal, Role } from '../domain/access.js';
import { DomainError, notFound } from '../domain/errors.js';
import { isCentreMunicipality } from '../domain/organisations.js';
import type { ApiKey } from '../domain/records.js';
import {
  countActiveKeys,
  findActiveKeyByHash,
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  upsertApiKey,
  type ApiKeyRow,
} from '../db/api-keys-repository.js';
import { findOrganisation } from '../db/organisations-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { runUnitOfWork, SYSTEM_CALLER, type Caller } from './unit-of-work.js';

export type { ApiKey } from '../domain/records.js';

/** The bootstrap admin key from ADMIN_API_KEY always has this id, so restarts update one row. */
export const BOOTSTRAP_KEY_ID = '00000000-0000-4000-8000-000000000001';

export interface ApiKeyInput {
  name: string;
  role: Role;
  organisationId?: string | null | undefined;
}

/**
 * API keys are 256-bit random secrets, so a single SHA-256 is a sufficient one-way hash: there
 * is no low-entropy password to stretch, and lookups stay one indexed equality per request.
 * Every request hashes its key: the one-shot `hash` costs a third of a Hash object's.
 */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

export function generateApiKey(): string {
  return `eszl_${randomBytes(32).toString('base64url')}`;
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    organisationId: row.organisationId,
    createdAt: row.createdAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/** `authenticate` answered from this instance's cache of keys, with no promise: undefined when not cached. */
export function cachedPrincipal(ctx: ServiceContext, key: string): KeyPrincipal | undefined {
  return ctx.principals?.get(hashApiKey(key));
}

export async function authenticate(ctx: ServiceContext, key: string): Promise<KeyPrincipal | undefined> {
  const keyHash = hashApiKey(key);
  const cached = ctx.principals?.get(keyHash);
  if (cached !== undefined) return cached;
  const generation = ctx.principals?.generation ?? 0;
  const row = await findActiveKeyByHash(ctx.database.db, keyHash);
  if (row === undefined) return undefined;
  const principal: KeyPrincipal = {
    keyId: row.id,
    role: row.role,
    organisationId: row.organisationId,
    name: row.name,
    createdAt: row.createdAt,
  };
  ctx.principals?.set(keyHash, principal, generation);
  return principal;
}

/** The view of each cached principal, built once: a principal never changes (a changed key is a new lookup). */
const currentKeyViews = new WeakMap<KeyPrincipal, Readonly<ApiKey>>();

/** The caller's own key, as authentication found it (active, so never revoked): no query. */
export function currentApiKey(principal: KeyPrincipal): Readonly<ApiKey> {
  let view = currentKeyViews.get(principal);
  if (view === undefined) {
    view = Object.freeze({
      id: principal.keyId,
      name: principal.name,
      role: principal.role,
      organisationId: principal.organisationId,
      createdAt: principal.createdAt.toISOString(),
      revokedAt: null,
    });
    currentKeyViews.set(principal, view);
  }
  return view;
}

export async function createApiKey(
  ctx: ServiceContext,
  caller: Caller,
  input: ApiKeyInput,
): Promise<ApiKey & { key: string }> {
  const organisationId = input.organisationId ?? null;
  if (input.role !== 'college' && organisationId !== null) {
    throw new DomainError('VALIDATION_FAILED', 'Only college keys are bound to an organisation.', [
      { path: '/organisationId', message: "must be absent unless role is 'college'" },
    ]);
  }
  return runUnitOfWork(ctx, caller, async (uow) => {
    if (input.role === 'college') {
      const organisation = organisationId === null ? undefined : await findOrganisation(uow.tx, organisationId);
      if (!isCentreMunicipality(organisation)) {
        throw new DomainError(
          'COLLEGE_KEY_NEEDS_CENTRE_MUNICIPALITY',
          'A college key must be bound to an existing centre municipality.',
          [{ path: '/organisationId', message: 'must be the id of a centre municipality' }],
        );
      }
    }
    const key = generateApiKey();
    const apiKey = toApiKey(await insertApiKey(uow.tx, { name: input.name, role: input.role, organisationId, keyHash: hashApiKey(key) }));
    uow.emit('apikey.created', { apiKey });
    return { ...apiKey, key };
  });
}

export async function listApiKeysPage(ctx: ServiceContext, cursor: string | undefined, limit: number): Promise<Page<ApiKey>> {
  const rows = await listApiKeys(ctx.database.db, decodeCursor(cursor), limit);
  return toPage(rows, limit, toApiKey);
}

/** Revoking is idempotent: a key already revoked stays revoked and nothing new is recorded. */
export async function revokeKey(ctx: ServiceContext, caller: Caller, id: string): Promise<void> {
  await runUnitOfWork(ctx, caller, async (uow) => {
    const current = await findApiKey(uow.tx, id, true);
    if (current === undefined) throw notFound('API key', id);
    if (current.revokedAt !== null) return;
    uow.emit('apikey.revoked', { apiKey: toApiKey(await revokeApiKey(uow.tx, id)) });
  });
  // Other instances forget on the commit's notification; this one does not wait for it.
  ctx.principals?.invalidate();
}

/** Whether anyone can manage keys yet: the first admin key comes from ADMIN_API_KEY or `npm run api-key`. */
export async function hasActiveAdminKey(ctx: ServiceContext): Promise<boolean> {
  return (await countActiveKeys(ctx.database.db, 'admin')) > 0;
}

/** Installs (or re-activates) the admin key from ADMIN_API_KEY; records it only when it changed. */
export async function installBootstrapKey(ctx: ServiceContext, key: string): Promise<void> {
  await runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
    const { row, changed } = await upsertApiKey(uow.tx, {
      id: BOOTSTRAP_KEY_ID,
      name: 'bootstrap admin (ADMIN_API_KEY)',
      role: 'admin',
      organisationId: null,
      keyHash: hashApiKey(key),
    });
    if (changed) uow.emit('apikey.created', { apiKey: toApiKey(row) });
  });
  ctx.principals?.invalidate();
}
