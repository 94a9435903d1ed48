import { randomBytes } from 'node:crypto';
import type { Decision } from '../../src/use-cases/decision-views.js';
import type { Client } from './app.js';
import { expectJson, expectStatus } from './assertions.js';

/** Small factories over the HTTP API: each returns the created resource's JSON. */
const unique = () => randomBytes(3).toString('hex').toUpperCase();

async function created<T>(response: Promise<{ statusCode: number; body: string }>, what: string): Promise<T> {
  return expectJson<T>(await response, 201, what);
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
  return created<OrganisationJson>(client.post('/api/v1/organisations', { name: `Organisation ${unique()}`, kind: 'applicant', ...overrides }), 'organisation');
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
  return created<ProgrammeJson>(client.post('/api/v1/programmes', { code: `P-${unique()}`, name: 'Programme', ...overrides }), 'programme');
}

export async function createKey(client: Client, role: string, organisationId?: string) {
  return created<{ id: string; key: string; role: string }>(
    client.post('/api/v1/api-keys', { name: `${role} key ${unique()}`, role, ...(organisationId && { organisationId }) }),
    'api key',
  );
}

/** POSTs a decision body as it stands; the new draft. */
export function createDecision(client: Client, body: Record<string, unknown>) {
  return created<Decision>(client.post('/api/v1/decisions', body), 'decision');
}

/** Adopts a decision and checks it lands in `expected` (adopted, or pending_ratification). */
export async function adopt(client: Client, id: string, expected: Decision['status']): Promise<Decision> {
  const decision = expectJson<Decision>(await client.post(`/api/v1/decisions/${id}/adopt`), 200, 'adopt');
  if (decision.status !== expected) throw new Error(`adopt: expected ${expected}, got ${decision.status}`);
  return decision;
}

export async function getDecision(client: Client, id: string): Promise<Decision> {
  return expectJson<Decision>(await client.get(`/api/v1/decisions/${id}`), 200, 'get decision');
}

/** Every item of a list endpoint, following nextCursor to the end, `limit` items a page. */
export async function listAll<T>(client: Client, path: string, limit = 200): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const res = await client.get(`${path}${separator}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    const page = expectJson<{ items: T[]; nextCursor: string | null }>(res, 200, `GET ${path}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return items;
}

/**
 * A fund large enough for every adoption of a test file: adoption records the fund's coverage,
 * and an uncovered decision also raises decision.fund_insufficient, which tests that count the
 * events of an adoption do not expect.
 */
export async function fundTheRegister(client: Client, municipalityId: string): Promise<void> {
  const res = await client.post('/api/v1/fund/contributions', {
    organisationId: municipalityId,
    year: 2026,
    amountCents: 100_000_000_000,
    receivedOn: '2026-01-15',
    reference: 'Fund of the tests',
  });
  expectStatus(res, 201, 'fund contribution');
}
