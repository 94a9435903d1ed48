import { DomainError } from './errors.js';

/** Roles of API keys and what they may do; routes declare which roles they admit. */
export const ROLES = ['admin', 'secretariat', 'college', 'auditor', 'reader'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a change: recorded as the actor of every audit event. */
export interface Principal {
  keyId: string | null;
  role: Role | 'system';
  organisationId: string | null;
}

/** The caller of a request: an active API key, as authentication found it. */
export interface KeyPrincipal extends Principal {
  keyId: string;
  role: Role;
  name: string;
  createdAt: Date;
}

export const SYSTEM_PRINCIPAL: Principal = { keyId: null, role: 'system', organisationId: null };

/** Role sets used by the routes, named after what they protect. */
export const ACCESS = {
  manageKeys: ['admin'],
  manageWebhooks: ['admin'],
  /** Webhook subscriptions: an admin manages all; a college key those of its own municipality. */
  subscribeWebhooks: ['admin', 'college'],
  manageRegister: ['admin', 'secretariat'],
  /** The statute's rules change only by the board's statute: admins record them. */
  manageStatute: ['admin'],
  /** Which organisations are centre municipalities decides who must ratify: the statute's core, the admins' alone. */
  designateCentreMunicipalities: ['admin'],
  readRegister: ['admin', 'secretariat', 'college', 'auditor', 'reader'],
  anyKey: ROLES,
  castVote: ['admin', 'college'],
  audit: ['admin', 'auditor'],
} as const satisfies Record<string, readonly Role[]>;

/**
 * A college key acts for its own municipality only (its votes, its subscriptions); every other
 * role that may act at all may act for any municipality. Checked by the use cases, so every
 * caller is held to it, and early at the HTTP edge, where the contract answers 403 before 400.
 */
export function assertActsFor(principal: Principal, municipalityId: string): void {
  if (principal.role === 'college' && principal.organisationId !== municipalityId) {
    throw new DomainError('FORBIDDEN', 'A college key may only act for its own municipality.');
  }
}

/**
 * The municipality a request acts for: the one it names, or, when it names none (or `me`), a
 * college key's own; any other key must name one (400 at `path`).
 */
export function actingMunicipality(principal: Principal, named: string | undefined, path: string): string {
  if (named !== undefined && named !== 'me') return named;
  if (principal.role === 'college' && principal.organisationId !== null) return principal.organisationId;
  const what = named === 'me' ? '"me" means the municipality of a college key' : 'a municipality is required';
  throw new DomainError('VALIDATION_FAILED', `${what}; this key is not a college's, so name the municipality.`, [
    { path, message: named === 'me' ? 'only a college key may say "me"' : 'is required unless the key is a college\'s (then it is its own municipality)' },
  ]);
}

/** Setting or clearing `centreMunicipality` (also by creating an organisation with it) changes who must ratify: admins only. */
export function assertMayDesignateCentreMunicipalities(principal: Principal, before: boolean, after: boolean): void {
  if (before === after) return;
  // The service itself (its seed, its jobs) acts with an admin's authority; it holds no key.
  if (principal.role !== 'system' && !(ACCESS.designateCentreMunicipalities as readonly string[]).includes(principal.role)) {
    throw new DomainError('FORBIDDEN', 'Only an admin key may set or clear centreMunicipality: it decides who must ratify.');
  }
}

/** The municipality a caller is confined to (a college key's own), or undefined when it may see every one. */
export function municipalityScope(principal: Principal): string | undefined {
  return principal.role === 'college' ? (principal.organisationId ?? '') : undefined;
}
