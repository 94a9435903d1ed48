import type { Caller } from '../../src/use-cases/unit-of-work.js';
import { SYSTEM_CALLER } from '../../src/use-cases/unit-of-work.js';
import type { OrganisationKind } from '../../src/domain/organisations.js';
import { todayInAmsterdam } from '../../src/domain/clock.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { createApiKey } from '../../src/use-cases/api-keys.js';
import { createOrganisation } from '../../src/use-cases/organisations.js';
import { createProgramme } from '../../src/use-cases/programmes.js';
import { adoptDecision, createDecision, withdrawDecision, type DecisionInput } from '../../src/use-cases/decisions.js';
import { castVote } from '../../src/use-cases/votes.js';
import type { IdPools } from './audit-gen.js';
import { addDays, log, mapConcurrent, pick, progress, randomInt, seededRandom } from './util.js';

/**
 * A realistic register written through the service's own use cases (so every row and every
 * audit event is exactly what the service would have written): the foundation, the three centre
 * municipalities and other organisations, a handful of programmes, API keys for every role, and
 * decisions with 1-3 commitments over several programmes and years. About half of the decisions
 * are at or above the EUR 100,000 threshold; those are adopted and voted on by the three centre
 * municipalities: some ratified, some rejected, some still pending, a few withdrawn.
 */
export interface Dataset {
  foundationId: string;
  centreMunicipalityIds: string[];
  organisationIds: string[];
  applicantIds: string[];
  programmeIds: string[];
  keys: {
    secretariat: { id: string; key: string };
    auditor: { id: string; key: string };
    reader: { id: string; key: string };
    college: Map<string, { id: string; key: string }>;
  };
  decisionCount: number;
  statusCounts: Record<string, number>;
  votesCast: number;
}

export const THRESHOLD_CENTS = 10_000_000;

const CENTRE = ['Gemeente Heerlen', 'Gemeente Sittard-Geleen', 'Gemeente Maastricht'];
const OTHER_MUNICIPALITIES = ['Gemeente Kerkrade', 'Gemeente Landgraaf', 'Gemeente Brunssum', 'Gemeente Valkenburg aan de Geul', 'Gemeente Eijsden-Margraten', 'Gemeente Beekdaelen'];
const PROGRAMMES: [string, string][] = [
  ['WTMR', 'Welcome to Maastricht Region'],
  ['AMKB', 'Ambitieus MKB'],
  ['GRENSINFO', 'Grensinformatiepunt Zuid-Limburg'],
  ['BRAINPORT-ZL', 'Brainport Zuid-Limburg'],
  ['TALENT-ZL', 'Talentprogramma Zuid-Limburg'],
  ['TOERISME-ZL', 'Toerisme en vrijetijdseconomie'],
  ['CIRCULAIR-ZL', 'Circulaire economie Zuid-Limburg'],
  ['SMART-SERVICES', 'Smart Services Campus'],
];
const TITLES = [
  'Bijdrage aan het programma',
  'Subsidie kwartiermakersfase',
  'Verlenging van de uitvoering',
  'Cofinanciering Interreg-project',
  'Pilot arbeidsmarktregio',
  'Versterking ondernemersloket',
];
const PURPOSES = ['Personeelskosten', 'Marketing en communicatie', 'Projectleiding', 'Evenementen', 'Onderzoek en monitoring', null];

type Plan =
  | { kind: 'draft' }
  | { kind: 'withdrawn-draft' }
  | { kind: 'adopted' }
  | { kind: 'ratified' }
  | { kind: 'rejected'; approvalsFirst: number }
  | { kind: 'pending'; approvals: number }
  | { kind: 'withdrawn-pending'; approvals: number };

export interface LoadOptions {
  decisions: number;
  /** Extra decisions adopted and left pending without votes: the supply for the vote scenario. */
  votePool: number;
  concurrency?: number;
}

export async function loadDataset(ctx: ServiceContext, options: LoadOptions): Promise<Dataset> {
  const random = seededRandom(1_000_003);
  const today = todayInAmsterdam(ctx.clock);
  const system = SYSTEM_CALLER;

  log('loading organisations, programmes and API keys');
  const foundation = await createOrganisation(ctx, system, { name: 'Stichting Economische Samenwerking Zuid-Limburg', kind: 'foundation', kvkNumber: '14000001' });
  const centre: string[] = [];
  for (const name of CENTRE) centre.push((await createOrganisation(ctx, system, { name, kind: 'municipality', centreMunicipality: true })).id);
  const organisationIds = [foundation.id, ...centre];
  for (const name of OTHER_MUNICIPALITIES) organisationIds.push((await createOrganisation(ctx, system, { name, kind: 'municipality' })).id);
  const applicantIds: string[] = [];
  const kinds: OrganisationKind[] = ['applicant', 'applicant', 'employer', 'government', 'other'];
  for (let i = 1; i <= 40; i++) {
    const organisation = await createOrganisation(ctx, system, {
      name: `Aanvrager ${i} Zuid-Limburg`,
      kind: pick(random, kinds),
      kvkNumber: String(randomInt(random, 10_000_000, 99_999_999)),
    });
    applicantIds.push(organisation.id);
    organisationIds.push(organisation.id);
  }
  const programmeIds: string[] = [];
  for (const [code, name] of PROGRAMMES) {
    programmeIds.push((await createProgramme(ctx, system, { code, name, description: `${name}: programma van ESZL`, ownerOrganisationId: foundation.id })).id);
  }
  const newKey = async (name: string, role: 'secretariat' | 'auditor' | 'reader' | 'college', organisationId?: string) => {
    const created = await createApiKey(ctx, system, { name, role, ...(organisationId !== undefined && { organisationId }) });
    return { id: created.id, key: created.key };
  };
  const keys: Dataset['keys'] = {
    secretariat: await newKey('bench secretariat', 'secretariat'),
    auditor: await newKey('bench auditor', 'auditor'),
    reader: await newKey('bench reader', 'reader'),
    college: new Map(),
  };
  for (const id of centre) keys.college.set(id, await newKey(`bench college ${id.slice(0, 8)}`, 'college', id));

  const secretariat: Caller = { principal: { keyId: keys.secretariat.id, role: 'secretariat', organisationId: null } };
  const college = (municipalityId: string): Caller => ({
    principal: { keyId: keys.college.get(municipalityId)!.id, role: 'college', organisationId: municipalityId },
  });

  // The plan of every decision, fixed up front from the seed.
  const plans: { input: DecisionInput; plan: Plan }[] = [];
  const total = options.decisions + options.votePool;
  const firstBoardDate = '2024-01-08';
  const span = Math.max(1, Math.floor((Date.parse(today) - Date.parse(firstBoardDate)) / 86_400_000) - 21);
  for (let i = 0; i < total; i++) {
    const pool = i >= options.decisions;
    const big = pool || i % 2 === 0;
    const count = randomInt(random, 1, 3);
    const totalCents = big ? randomInt(random, 200, 1_200) * 50_000 : randomInt(random, 10, 199) * 50_000; // EUR 100k-600k, else 5k-99.5k
    // Split the total into `count` positive multiples of EUR 500.
    const amounts: number[] = [];
    let units = totalCents / 50_000;
    for (let c = 0; c < count; c++) {
      const remaining = count - c - 1;
      const share = remaining === 0 ? units : Math.min(units - remaining, Math.max(1, Math.round((units / (count - c)) * (0.5 + random()))));
      amounts.push(share * 50_000);
      units -= share;
    }
    const board = addDays(firstBoardDate, Math.floor(random() * span));
    const year = Number(board.slice(0, 4));
    const input: DecisionInput = {
      reference: `ESZL-${year}-${String(i + 1).padStart(6, '0')}`,
      title: `${pick(random, TITLES)} ${i + 1}`,
      summary: random() < 0.7 ? 'Het bestuur stelt middelen beschikbaar onder de voorwaarden in dit besluit, conform het meerjarenplan van de stichting.' : null,
      boardMeetingDate: board,
      applicantOrganisationId: pick(random, applicantIds),
      commitments: amounts.map((amountCents) => ({ programmeId: pick(random, programmeIds), year: year + randomInt(random, 0, 2), amountCents, purpose: pick(random, PURPOSES) })),
      ...(random() < 0.3 && { conditions: [{ description: 'Aanleveren meetbare resultaatcriteria, ten minste het verwachte aantal plaatsingen', dueDate: addDays(board, 60) }] }),
    };
    const r = random();
    let plan: Plan;
    if (pool) plan = { kind: 'pending', approvals: 0 };
    else if (!big) plan = r < 0.08 ? { kind: 'draft' } : r < 0.12 ? { kind: 'withdrawn-draft' } : { kind: 'adopted' };
    else if (r < 0.04) plan = { kind: 'draft' };
    else if (r < 0.3) plan = { kind: 'ratified' };
    else if (r < 0.45) plan = { kind: 'rejected', approvalsFirst: randomInt(random, 0, 2) };
    else if (r < 0.49) plan = { kind: 'withdrawn-pending', approvals: randomInt(random, 0, 1) };
    else plan = { kind: 'pending', approvals: r < 0.75 ? 0 : r < 0.9 ? 1 : 2 };
    plans.push({ input, plan });
  }

  log(`loading ${total.toLocaleString('en')} decisions through the use cases (${options.decisions.toLocaleString('en')} register + ${options.votePool.toLocaleString('en')} pending for the vote scenario)`);
  const report = progress('decisions', total);
  const statusCounts: Record<string, number> = {};
  let done = 0;
  let votesCast = 0;
  await mapConcurrent(plans, options.concurrency ?? 8, async ({ input, plan }, index) => {
    const local = seededRandom(index + 17);
    const decision = await createDecision(ctx, secretariat, input);
    let status: string = decision.status;
    const vote = async (municipalityId: string, outcome: 'approve' | 'reject') => {
      const decidedOn = addDays(input.boardMeetingDate, randomInt(local, 7, 20));
      await castVote(ctx, college(municipalityId), decision.id, {
        municipalityId,
        outcome,
        decidedOn: decidedOn > today ? today : decidedOn,
        reference: `B&W-${randomInt(local, 1000, 9999)}`,
        note: outcome === 'reject' ? 'Het college ziet onvoldoende regionaal belang.' : null,
      });
      votesCast++;
    };
    const order = [...centre].sort(() => local() - 0.5);
    switch (plan.kind) {
      case 'draft':
        break;
      case 'withdrawn-draft':
        status = (await withdrawDecision(ctx, secretariat, decision.id, 'Aanvraag ingetrokken door de aanvrager.')).status;
        break;
      default: {
        status = (await adoptDecision(ctx, secretariat, decision.id)).status;
        if (plan.kind === 'ratified') {
          for (const m of order) await vote(m, 'approve');
          status = 'ratified';
        } else if (plan.kind === 'rejected') {
          for (const m of order.slice(0, plan.approvalsFirst)) await vote(m, 'approve');
          await vote(order[plan.approvalsFirst]!, 'reject');
          status = 'rejected';
        } else if (plan.kind === 'pending' || plan.kind === 'withdrawn-pending') {
          for (const m of order.slice(0, plan.approvals)) await vote(m, 'approve');
          if (plan.kind === 'withdrawn-pending') {
            status = (await withdrawDecision(ctx, secretariat, decision.id, 'Besluit heroverwogen door het bestuur.')).status;
          }
        }
      }
    }
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    report(++done);
  });
  report(done, true);

  return {
    foundationId: foundation.id,
    centreMunicipalityIds: [...centre].sort(),
    organisationIds,
    applicantIds,
    programmeIds,
    keys,
    decisionCount: total,
    statusCounts,
    votesCast,
  };
}

export function idPoolsOf(dataset: Dataset, decisionIds: string[]): IdPools {
  return {
    decisions: decisionIds,
    organisations: dataset.applicantIds,
    municipalities: dataset.centreMunicipalityIds,
    programmes: dataset.programmeIds,
    secretariatKeyId: dataset.keys.secretariat.id,
    collegeKeyIds: new Map([...dataset.keys.college].map(([municipality, key]) => [municipality, key.id])),
  };
}
