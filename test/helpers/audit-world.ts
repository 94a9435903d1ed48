import { createLogger } from '../../src/logger.js';
import { WebhookDispatcher } from '../../src/notifications/dispatcher.js';
import { BOARD_MEETING, expectStatus, unique, WEBHOOK_SIGNING_KEY, type AuditTrail, type KeyHolder } from './audit-trail.js';
import { createCentreMunicipality, createOrganisation, type OrganisationJson, type ProgrammeJson } from './factories.js';

export interface DecisionJson {
  id: string;
  reference: string;
  status: string;
  commitments: { id: string; programmeId: string; year: number; amountCents: number }[];
  conditions: { id: string; status: string; fulfilledOn: string | null }[];
  ratification: { required: boolean; requiredMunicipalityIds: string[]; votes: { id: string; municipalityId: string }[] };
}

/** What the WTMR story leaves behind: the municipalities and keys every later test builds on. */
export interface World {
  secretariat: KeyHolder;
  heerlen: OrganisationJson;
  sittardGeleen: OrganisationJson;
  maastricht: OrganisationJson;
  applicant: OrganisationJson;
  programme: ProgrammeJson;
  college: { heerlen: KeyHolder; sittardGeleen: KeyHolder; maastricht: KeyHolder };
  wtmr: DecisionJson;
}

/** The story's own record, for the test that checks the trail it wrote. */
export interface Story {
  world: World;
  /** The head seq before the story's first change. */
  start: number;
  contributions: string[];
  voteIds: string[];
}

/** How the story checks its steps: the story's test passes its `t`; elsewhere a wrong step throws. */
interface Checks {
  equal(found: unknown, wanted: unknown, message: string): unknown;
}

const THROW_ON_WRONG_STEP: Checks = {
  equal(found, wanted, message) {
    if (found !== wanted) throw new Error(`the WTMR story: ${message}: expected ${String(wanted)}, got ${String(found)}`);
    return true;
  },
};

export const SMALL = [500_000]; // EUR 5,000: binds at adoption
export const LARGE = [14_000_000]; // EUR 140,000: needs the three colleges
export const CONDITION = { description: 'Submit measurable result criteria', dueDate: '2026-06-30' };

/** Port 9 on 127.0.0.1: allow-listed for subscribing; nothing is ever sent there (see webhookDelivery). */
export const WEBHOOK_URL = 'http://127.0.0.1:9/audit-hook';

/**
 * The WTMR story over HTTP: the admin registers three centre municipalities, the secretariat the
 * applicant, the programme and the fund's contributions, and EUR 390,000 is adopted and ratified
 * by the three colleges, each with its own key. Every trail test file plays it first.
 */
export async function playWtmrStory(trail: AuditTrail, check: Checks = THROW_ON_WRONG_STEP): Promise<Story> {
  const { admin, reader, issueKey, headSeq, getJson } = trail;
  const start = await headSeq();
  const secretariat = await issueKey('secretariat');
  const s = secretariat.client;
  // Who must ratify is the admin's to decide: the admin registers the centre municipalities.
  const heerlen = await createCentreMunicipality(admin, 'Gemeente Heerlen');
  const sittardGeleen = await createCentreMunicipality(admin, 'Gemeente Sittard-Geleen');
  const maastricht = await createCentreMunicipality(admin, 'Gemeente Maastricht');
  const applicant = await createOrganisation(s, { name: 'Stichting Welcome to Maastricht Region', kind: 'applicant' });
  const programmeRes = await s.post('/api/v1/programmes', { code: 'WTMR', name: 'Welcome to Maastricht Region' });
  check.equal(programmeRes.statusCode, 201, 'the secretariat registers the programme WTMR');
  const programme = programmeRes.json<ProgrammeJson>();
  // The municipalities bring the ESZL fund together, so adoptions find it covering them.
  const contributions: string[] = [];
  for (const municipality of [heerlen, sittardGeleen, maastricht]) {
    const res = await s.post('/api/v1/fund/contributions', {
      organisationId: municipality.id,
      year: 2026,
      amountCents: 500_000_000,
      receivedOn: '2026-01-15',
      reference: `Bijdrage 2026 ${municipality.name}`,
    });
    check.equal(res.statusCode, 201, `${municipality.name} contributes to the fund`);
    contributions.push(res.json<{ id: string }>().id);
  }
  const college = {
    heerlen: await issueKey('college', heerlen.id),
    sittardGeleen: await issueKey('college', sittardGeleen.id),
    maastricht: await issueKey('college', maastricht.id),
  };

  const createRes = await s.post('/api/v1/decisions', {
    reference: 'ESZL-2026-007',
    title: 'Bijdrage Welcome to Maastricht Region 2026-2027',
    boardMeetingDate: BOARD_MEETING,
    applicantOrganisationId: applicant.id,
    commitments: [
      { programmeId: programme.id, year: 2026, amountCents: 14_000_000 },
      { programmeId: programme.id, year: 2027, amountCents: 25_000_000 },
    ],
    conditions: [{ description: 'Submit measurable result criteria, at least the expected number of placements', dueDate: '2026-02-15' }],
  });
  check.equal(createRes.statusCode, 201, 'the secretariat registers the decision as a draft');
  const draft = createRes.json<DecisionJson>();
  const adoptRes = await s.post(`/api/v1/decisions/${draft.id}/adopt`);
  check.equal(adoptRes.statusCode, 200, 'the secretariat adopts it');
  check.equal(adoptRes.json<DecisionJson>().status, 'pending_ratification', 'EUR 390,000 awaits the three colleges');

  const voters = [
    [college.heerlen, heerlen],
    [college.sittardGeleen, sittardGeleen],
    [college.maastricht, maastricht],
  ] as const;
  const voteIds: string[] = [];
  for (const [key, municipality] of voters) {
    const res = await key.client.post(`/api/v1/decisions/${draft.id}/votes`, {
      municipalityId: municipality.id,
      outcome: 'approve',
      decidedOn: '2026-02-24',
      reference: `B&W ${municipality.name}`,
    });
    check.equal(res.statusCode, 201, `the college of ${municipality.name} approves with its own key`);
    voteIds.push(res.json<{ id: string }>().id);
  }
  const wtmr = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${draft.id}`);
  check.equal(wtmr.status, 'ratified', 'the third approval ratifies the decision');

  const world = { secretariat, heerlen, sittardGeleen, maastricht, applicant, programme, college, wtmr };
  return { world, start, contributions, voteIds };
}

/** Makes decisions, subscriptions and deliveries for the world's applicant, programme and secretariat. */
export function worldTools(trail: AuditTrail, world: World) {
  const { admin, ctx, getJson } = trail;
  const { secretariat } = world;
  type Conditions = { description: string; dueDate: string }[];

  function decisionBody(amounts: number[], conditions: Conditions = []) {
    return {
      reference: `AUD-${unique()}`,
      title: 'Audit test decision',
      boardMeetingDate: BOARD_MEETING,
      applicantOrganisationId: world.applicant.id,
      commitments: amounts.map((amountCents, i) => ({ programmeId: world.programme.id, year: 2026 + i, amountCents })),
      conditions,
    };
  }

  async function newDecision(amounts: number[], conditions: Conditions = []): Promise<DecisionJson> {
    const res = await secretariat.client.post('/api/v1/decisions', decisionBody(amounts, conditions));
    expectStatus(res, 201, 'create decision');
    return res.json<DecisionJson>();
  }

  async function adopted(amounts: number[], conditions: Conditions = []): Promise<DecisionJson> {
    const draft = await newDecision(amounts, conditions);
    const res = await secretariat.client.post(`/api/v1/decisions/${draft.id}/adopt`);
    expectStatus(res, 200, 'adopt decision');
    return res.json<DecisionJson>();
  }

  async function subscribeWebhook(body: Record<string, unknown> = {}): Promise<{ id: string; secret?: string }> {
    const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: WEBHOOK_URL, eventTypes: ['decision.adopted'], ...body });
    expectStatus(res, 201, 'subscribe');
    return res.json<{ id: string; secret?: string }>();
  }

  /**
   * A subscription (on a programme of its own) with one delivery, as redelivery needs. The
   * dispatcher that fans the event out has an empty allow-list, so its attempt is refused before
   * any connection is made: no network, and no audit event either.
   */
  async function webhookDelivery(): Promise<{ subscriptionId: string; deliveryId: string }> {
    const programmeRes = await secretariat.client.post('/api/v1/programmes', { code: `WH-${unique()}`, name: 'Webhook programme' });
    expectStatus(programmeRes, 201, 'create programme');
    const programmeId = programmeRes.json<ProgrammeJson>().id;
    const subscription = await subscribeWebhook({ programmeId });
    const draftRes = await secretariat.client.post('/api/v1/decisions', { ...decisionBody(SMALL), commitments: [{ programmeId, year: 2026, amountCents: SMALL[0]! }] });
    expectStatus(draftRes, 201, 'create decision');
    expectStatus(await secretariat.client.post(`/api/v1/decisions/${draftRes.json<DecisionJson>().id}/adopt`), 200, 'adopt decision');
    const dispatcher = new WebhookDispatcher({
      database: ctx.db.database,
      signingKey: WEBHOOK_SIGNING_KEY,
      allowedHosts: [],
      logger: createLogger('silent'),
      retryWindowMs: 60_000,
      backoffBaseMs: 60_000,
      backoffMaxMs: 60_000,
      timeoutMs: 1_000,
    });
    await dispatcher.runOnce();
    const page = await getJson<{ items: { id: string }[] }>(admin, `/api/v1/webhook-subscriptions/${subscription.id}/deliveries`);
    if (page.items.length !== 1) throw new Error(`expected one delivery, got ${page.items.length}`);
    return { subscriptionId: subscription.id, deliveryId: page.items[0]!.id };
  }

  /** A placements indicator with a 2026 target on the decision. */
  async function definedIndicator(decisionId: string, code = 'PLACEMENTS'): Promise<{ id: string }> {
    const res = await secretariat.client.post(`/api/v1/decisions/${decisionId}/indicators`, {
      code,
      name: 'Placements',
      unit: 'placements',
      targets: [{ period: '2026', value: 60 }],
    });
    expectStatus(res, 201, 'define indicator');
    return res.json<{ id: string }>();
  }

  return { decisionBody, newDecision, adopted, subscribeWebhook, webhookDelivery, definedIndicator };
}

export type WorldTools = ReturnType<typeof worldTools>;
