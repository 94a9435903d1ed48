import { randomBytes } from 'node:crypto';
import type { Decision } from '../../src/use-cases/decision-views.js';
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

/** POSTs a decision body as it stands; the new draft. */
export function createDecision(client: Client, body: Record<string, unknown>) {
  return created<Decision>(client.post('/api/v1/decisions', body));
}

/** Adopts a decision and checks it lands in `expected` (adopted, or pending_ratification). */
export async function adopt(client: Client, id: string, expected: Decision['status']): Promise<Decision> {
  const res = await client.post(`/api/v1/decisions/${id}/adopt`);
  if (res.statusCode !== 200) throw new Error(`adopt: expected 200, got ${res.statusCode}: ${res.body}`);
  const decision = JSON.parse(res.body) as Decision;
  if (decision.status !== expected) throw new Error(`adopt: expected ${expected}, got ${decision.status}`);
  return decision;
}

export async function getDecision(client: Client, id: string): Promise<Decision> {
  const res = await client.get(`/api/v1/decisions/${id}`);
  if (res.statusCode !== 200) throw new Error(`get decision: expected 200, got ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body) as Decision;
}

/** Every item of a list endpoint, following nextCursor to the end, `limit` items a page. */
export async function listAll<T>(client: Client, path: string, limit = 200): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const res = await client.get(`${path}${separator}limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${res.body}`);
    const page = JSON.parse(res.body) as { items: T[]; nextCursor: string | null };
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
  if (res.statusCode !== 201) throw new Error(`fund contribution: expected 201, got ${res.statusCode}: ${res.body}`);
}
