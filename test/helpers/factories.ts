import { randomBytes } from 'node:crypto';
import type { Client } from './app.js';

/** Small factories over the HTTP API: each returns the created resource's JSON. */
const unique = () => randomBytes(3).toString('hex').toUpperCase();

async function created<T>(response: Promise<{ statusCode: number; body: string }>): Promise<T> {
  const res = await response;
  if (res.statusCode !== 201) throw new Error(`expected 201, got ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body) as T;
}

export interface OrganisationJson {
  id: string;
  name: string;
  kind: string;
  centreMunicipality: boolean;
}

export interface ProgrammeJson {
  id: string;
  code: string;
}

export function createOrganisation(client: Client, overrides: Record<string, unknown> = {}) {
  return created<OrganisationJson>(client.post('/api/v1/organisations', { name: `Organisation ${unique()}`, kind: 'applicant', ...overrides }));
}

export function createCentreMunicipality(client: Client, name: string) {
  return createOrganisation(client, { name, kind: 'municipality', centreMunicipality: true });
}

/** Heerlen, Sittard-Geleen and Maastricht, the three centre municipalities of the statute. */
export async function createCentreMunicipalities(client: Client) {
  const heerlen = await createCentreMunicipality(client, 'Gemeente Heerlen');
  const sittardGeleen = await createCentreMunicipality(client, 'Gemeente Sittard-Geleen');
  const maastricht = await createCentreMunicipality(client, 'Gemeente Maastricht');
  return { heerlen, sittardGeleen, maastricht };
}

export function createProgramme(client: Client, overrides: Record<string, unknown> = {}) {
  return created<ProgrammeJson>(client.post('/api/v1/programmes', { code: `P-${unique()}`, name: 'Programme', ...overrides }));
}

export async function createKey(client: Client, role: string, organisationId?: string) {
  return created<{ id: string; key: string; role: string }>(
    client.post('/api/v1/api-keys', { name: `${role} key ${unique()}`, role, ...(organisationId && { organisationId }) }),
  );
}
