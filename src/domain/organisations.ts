import { DomainError } from './errors.js';

/** Organisations of the register and the rules about which of them ratify. */
export const ORGANISATION_KINDS = ['foundation', 'municipality', 'applicant', 'employer', 'government', 'other'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export interface OrganisationFacts {
  kind: string;
  centreMunicipality: boolean;
}

/** Only a municipality's college can ratify, so only a municipality can be a centre municipality. */
export function assertCentreIsMunicipality(organisation: OrganisationFacts): void {
  if (organisation.centreMunicipality && organisation.kind !== 'municipality') {
    throw new DomainError('CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY', 'Only an organisation of kind municipality can be a centre municipality.', [
      { path: '/centreMunicipality', message: "may only be true when kind is 'municipality'" },
    ]);
  }
}

/** A college ratifies; only the college of a centre municipality does. */
export function isCentreMunicipality(organisation: OrganisationFacts | undefined): boolean {
  return organisation !== undefined && organisation.kind === 'municipality' && organisation.centreMunicipality;
}
