import type { Client, TestApp } from '../../helpers/app.js';
import { ADMIN_KEY } from '../../helpers/app.js';
import { expectJson } from '../../helpers/assertions.js';
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
  return expectJson<DecisionJson>(await admin.post('/api/v1/decisions', body), 201, 'create decision');
}

export async function adopt(admin: Client, id: string): Promise<DecisionJson> {
  return expectJson<DecisionJson>(await admin.post(`/api/v1/decisions/${id}/adopt`), 200, 'adopt decision');
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

/** A sub-resource's id with the id of the resource in whose path it appears (`{id}`). */
export interface OwnedId {
  parentId: string;
  id: string;
}

/**
 * The register the fuzzer's path parameters point into: decisions in each state (drafts, pending,
 * binding), their commitments and conditions, indicators, a college decision, the statute rules.
 */
export interface Register {
  decisions: DecisionJson[];
  /** Adopted below the threshold on the fixed today: payable, settleable and amendable. */
  bindingDecisionIds: string[];
  commitments: OwnedId[];
  conditions: OwnedId[];
  indicators: OwnedId[];
  collegeDecisions: string[];
  statuteRules: string[];
}

export async function buildRegister(
  ctx: TestApp,
  world: World,
  sizes: { drafts: number; pending: number; binding: number },
): Promise<Register> {
  const { admin } = ctx;
  const [wtmr, amkb] = world.programmes as [string, string];
  const decisions: DecisionJson[] = [];
  for (let i = 0; i < sizes.drafts; i++) decisions.push(await createDecision(admin, i % 2 ? wtmr : amkb, { conditions: i % 3 }));
  for (let i = 0; i < sizes.pending; i++) decisions.push(await createPendingDecision(admin, wtmr, i % 2));
  const binding: DecisionJson[] = [];
  for (let i = 0; i < sizes.binding; i++) binding.push(await createAdoptedDecision(admin, amkb, 2));
  decisions.push(...binding);
  // Indicators whose targets span every period the schema allows, so a generated report fits one.
  const indicators: OwnedId[] = [];
  for (const decision of decisions.filter((d) => d.status !== 'draft').slice(0, 8)) {
    const res = await admin.post(`/api/v1/decisions/${decision.id}/indicators`, {
      code: 'FUZZ',
      name: 'Fuzzed indicator',
      unit: 'count',
      targets: [{ period: '2000', value: 1 }, { period: '2100', value: 1 }],
    });
    indicators.push({ parentId: decision.id, id: expectJson<{ id: string }>(res, 201, 'indicator').id });
  }
  // A college decision to read: its votes on two fresh pending decisions.
  const votes = [await createPendingDecision(admin, wtmr), await createPendingDecision(admin, amkb)].map((d) => ({ decisionId: d.id, outcome: 'approve' }));
  const college = await admin.post('/api/v1/college-decisions', { municipalityId: world.centreMunicipalityIds[0], decidedOn: '2026-02-20', reference: 'CB fuzz', votes });
  const statuteRules = expectJson<{ items: { id: string }[] }>(await admin.get('/api/v1/statute-rules'), 200, 'statute rules').items.map((r) => r.id);
  const owned = (pick: (d: DecisionJson) => { id: string }[]) => decisions.flatMap((d) => pick(d).map((c) => ({ parentId: d.id, id: c.id })));
  return {
    decisions,
    bindingDecisionIds: binding.map((d) => d.id),
    commitments: owned((d) => d.commitments as { id: string }[]),
    conditions: owned((d) => d.conditions),
    indicators,
    collegeDecisions: [expectJson<{ id: string }>(college, 201, 'college decision').id],
    statuteRules,
  };
}
