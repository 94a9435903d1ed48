import type { Client, TestApp } from '../../helpers/app.js';
import { ADMIN_KEY } from '../../helpers/app.js';
import { createCentreMunicipalities, createKey, createOrganisation, createProgramme } from '../../helpers/factories.js';

/**
 * Fixtures over the HTTP API for the reliability tests: the three centre municipalities, other
 * organisations, programmes, decisions in several states, and one API key per role (plus a
 * revoked one). Everything is created by the bootstrap admin key.
 */
export const FIXED_NOW = '2026-03-01T12:00:00Z';
export const BOARD_MEETING = '2026-02-10';
export const THRESHOLD_CENTS = 10_000_000;

export interface DecisionJson {
  id: string;
  reference: string;
  status: string;
  totalAmountCents: number;
  conditions: { id: string; status: string }[];
  ratification: { required: boolean; requiredMunicipalityIds: string[]; votes: unknown[] };
  [key: string]: unknown;
}

let sequence = 0;
/** References and names unique within a process (each test file has its own database anyway). */
export function uniqueSuffix(): string {
  sequence++;
  return `${process.pid.toString(36)}-${sequence.toString(36)}`.toUpperCase();
}

function parsed<T>(res: { statusCode: number; body: string }, expected: number, what: string): T {
  if (res.statusCode !== expected) throw new Error(`${what}: expected ${expected}, got ${res.statusCode}: ${res.body}`);
  return JSON.parse(res.body) as T;
}

export async function createDecision(
  admin: Client,
  programmeId: string,
  options: { amountCents?: number; conditions?: number; applicantOrganisationId?: string } = {},
): Promise<DecisionJson> {
  const body = {
    reference: `REL-${uniqueSuffix()}`,
    title: 'Reliability fixture',
    summary: 'Created by the reliability tests',
    boardMeetingDate: BOARD_MEETING,
    ...(options.applicantOrganisationId && { applicantOrganisationId: options.applicantOrganisationId }),
    commitments: [{ programmeId, year: 2026, amountCents: options.amountCents ?? 5_000_000, purpose: 'fixture' }],
    conditions: Array.from({ length: options.conditions ?? 0 }, (_, i) => ({ description: `Condition ${i + 1}`, dueDate: '2026-06-30' })),
  };
  return parsed<DecisionJson>(await admin.post('/api/v1/decisions', body), 201, 'create decision');
}

export async function adopt(admin: Client, id: string): Promise<DecisionJson> {
  return parsed<DecisionJson>(await admin.post(`/api/v1/decisions/${id}/adopt`), 200, 'adopt decision');
}

/** A decision awaiting ratification by all three centre municipalities. */
export async function createPendingDecision(admin: Client, programmeId: string, conditions = 0): Promise<DecisionJson> {
  const draft = await createDecision(admin, programmeId, { amountCents: 14_000_000, conditions });
  const pending = await adopt(admin, draft.id);
  if (pending.status !== 'pending_ratification') throw new Error(`expected pending_ratification, got ${pending.status}`);
  return pending;
}

/** A decision adopted below the threshold: binding at once, its conditions fulfillable. */
export async function createAdoptedDecision(admin: Client, programmeId: string, conditions = 0): Promise<DecisionJson> {
  const draft = await createDecision(admin, programmeId, { amountCents: 2_500_000, conditions });
  return adopt(admin, draft.id);
}

export interface RoleKeys {
  admin: string;
  secretariat: string;
  /** College of Heerlen. */
  college: string;
  /** College of Maastricht. */
  collegeOther: string;
  auditor: string;
  reader: string;
  revoked: string;
  /** Ids, e.g. to keep them out of the fuzzer's DELETE /api-keys/{id}. */
  ids: string[];
}

export interface World {
  municipalities: { heerlen: string; sittardGeleen: string; maastricht: string };
  centreMunicipalityIds: string[];
  organisations: string[];
  programmes: string[];
  keys: RoleKeys;
}

export async function createRoleKeys(admin: Client, heerlen: string, maastricht: string): Promise<RoleKeys> {
  const secretariat = await createKey(admin, 'secretariat');
  const college = await createKey(admin, 'college', heerlen);
  const collegeOther = await createKey(admin, 'college', maastricht);
  const auditor = await createKey(admin, 'auditor');
  const reader = await createKey(admin, 'reader');
  const revoked = await createKey(admin, 'admin');
  const revoke = await admin.delete(`/api/v1/api-keys/${revoked.id}`);
  if (revoke.statusCode !== 204) throw new Error(`revoke: ${revoke.statusCode} ${revoke.body}`);
  return {
    admin: ADMIN_KEY,
    secretariat: secretariat.key,
    college: college.key,
    collegeOther: collegeOther.key,
    auditor: auditor.key,
    reader: reader.key,
    revoked: revoked.key,
    ids: [secretariat.id, college.id, collegeOther.id, auditor.id, reader.id, revoked.id],
  };
}

export async function buildWorld(ctx: TestApp): Promise<World> {
  const { admin } = ctx;
  const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
  const others = [
    await createOrganisation(admin, { kind: 'municipality', name: 'Gemeente Kerkrade', centreMunicipality: false }),
    await createOrganisation(admin, { kind: 'applicant', name: 'Stichting WTMR', kvkNumber: '12345678' }),
    await createOrganisation(admin, { kind: 'employer', name: 'Werkgever BV' }),
    await createOrganisation(admin, { kind: 'foundation', name: 'Stichting ESZL' }),
  ];
  const programmes = [
    await createProgramme(admin, { code: 'WTMR', name: 'Welcome to Maastricht Region' }),
    await createProgramme(admin, { code: 'AMKB', name: 'Ambitieus MKB' }),
    await createProgramme(admin, { code: `P-${uniqueSuffix()}`, name: 'Third programme' }),
  ];
  const keys = await createRoleKeys(admin, heerlen.id, maastricht.id);
  return {
    municipalities: { heerlen: heerlen.id, sittardGeleen: sittardGeleen.id, maastricht: maastricht.id },
    centreMunicipalityIds: [heerlen.id, sittardGeleen.id, maastricht.id],
    organisations: [heerlen.id, sittardGeleen.id, maastricht.id, ...others.map((o) => o.id)],
    programmes: programmes.map((p) => p.id),
    keys,
  };
}
