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

/** The municipality a caller is confined to (a college key's own), or undefined when it may see every one. */
export function municipalityScope(principal: Principal): string | undefined {
  return principal.role === 'college' ? (principal.organisationId ?? '') : undefined;
}
