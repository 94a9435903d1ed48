import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { eventHash, GENESIS_HASH, type UnhashedEvent } from '../../src/audit/chain.js';
import { addDays, pick, randomInt, seededRandom } from './util.js';

/**
 * Bulk generation of valid, chained audit events straight into audit_events, for volumes the
 * use cases would take too long to write. Each event is hashed exactly as the service hashes
 * (src/audit/chain.ts eventHash over the JCS form), so the service's verify endpoint and the
 * offline verifier accept the result. The payloads imitate the real ones (whole decisions,
 * votes, organisation updates) so that rows have a realistic size (~1-2 KB).
 *
 * Everything runs in one transaction that holds the audit_head row lock, as the service's own
 * appenders do: no other writer can interleave, and the head is updated atomically at the end.
 */
export interface IdPools {
  decisions: string[];
  organisations: string[];
  municipalities: string[];
  programmes: string[];
  secretariatKeyId: string;
  collegeKeyIds: Map<string, string>;
}

export interface GenerateOptions {
  client: pg.PoolClient | pg.Client;
  count: number;
  batchSize?: number;
  ids?: IdPools;
  seed?: number;
  onProgress?: (done: number) => void;
}

export interface GenerateResult {
  firstSeq: number;
  lastSeq: number;
  headHash: string;
  bytes: number;
}

const INSERT = `INSERT INTO audit_events
  (seq, occurred_at, actor_key_id, actor_role, actor_organisation_id, action, resource_type, resource_id, data, prev_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::uuid[], $9::jsonb[], $10::text[], $11::text[])`;

function syntheticPools(): IdPools {
  const municipalities = [randomUUID(), randomUUID(), randomUUID()].sort();
  return {
    decisions: Array.from({ length: 20_000 }, () => randomUUID()),
    organisations: Array.from({ length: 60 }, () => randomUUID()),
    municipalities,
    programmes: Array.from({ length: 8 }, () => randomUUID()),
    secretariatKeyId: randomUUID(),
    collegeKeyIds: new Map(municipalities.map((id) => [id, randomUUID()])),
  };
}

const TITLES = [
  'Bijdrage Welcome to Maastricht Region',
  'Kwartiermaker Ambitieus MKB',
  'Grensinformatiepunt Zuid-Limburg, verlenging',
  'Talentprogramma techniek en zorg',
  'Brainport Zuid-Limburg, fase 2',
  'Circulaire bouwketen Parkstad',
  'Toeristische promotie Heuvelland',
];

const PURPOSES = ['Personeelskosten', 'Marketing en communicatie', 'Projectleiding', 'Evenementen', 'Onderzoek en monitoring', null];

/** Builds events in seq order; the caller hashes and inserts them. */
function makeEventFactory(random: () => number, ids: IdPools) {
  let n = 0;
  const fakeDecision = (id: string, status: string, now: string) => {
    const commitments = Array.from({ length: randomInt(random, 1, 3) }, () => ({
      id: randomUUID(),
      programmeId: pick(random, ids.programmes),
      year: randomInt(random, 2024, 2028),
      amountCents: randomInt(random, 1_000, 40_000) * 500,
      purpose: pick(random, PURPOSES),
    }));
    const total = commitments.reduce((sum, c) => sum + c.amountCents, 0);
    const board = addDays('2024-01-01', randomInt(random, 0, 650));
    const pending = status !== 'draft' && total >= 10_000_000;
    return {
      id,
      reference: `ESZL-${board.slice(0, 4)}-${String(n).padStart(6, '0')}`,
      title: pick(random, TITLES),
      summary: random() < 0.7 ? 'Het bestuur stelt middelen beschikbaar onder de voorwaarden in dit besluit, conform het meerjarenplan van de stichting.' : null,
      boardMeetingDate: board,
      applicantOrganisationId: pick(random, ids.organisations),
      status,
      totalAmountCents: total,
      commitments,
      conditions:
        random() < 0.3
          ? [{ id: randomUUID(), description: 'Aanleveren meetbare resultaatcriteria, ten minste het verwachte aantal plaatsingen', dueDate: addDays(board, 60), status: 'open', fulfilledOn: null, evidence: null }]
          : [],
      ratification: { required: total >= 10_000_000, thresholdCents: 10_000_000, requiredMunicipalityIds: pending ? ids.municipalities : [], votes: [] },
      adoptedAt: status === 'draft' ? null : now,
      withdrawnAt: null,
      withdrawalReason: null,
      createdAt: now,
      updatedAt: now,
    };
  };

  return (occurredAt: string): UnhashedEvent & { seq: 0 } => {
    n++;
    const decisionId = pick(random, ids.decisions);
    const roll = random();
    const secretariat = { keyId: ids.secretariatKeyId, role: 'secretariat', organisationId: null };
    const base = { seq: 0 as const, occurredAt, resourceType: 'decision', resourceId: decisionId };
    if (roll < 0.3) return { ...base, actor: secretariat, action: 'decision.created', data: { decision: fakeDecision(decisionId, 'draft', occurredAt) } };
    if (roll < 0.55) return { ...base, actor: secretariat, action: 'decision.adopted', data: { decision: fakeDecision(decisionId, 'pending_ratification', occurredAt) } };
    if (roll < 0.85) {
      const municipalityId = pick(random, ids.municipalities);
      const vote = {
        id: randomUUID(),
        decisionId,
        municipalityId,
        outcome: random() < 0.9 ? 'approve' : 'reject',
        decidedOn: addDays('2024-06-01', randomInt(random, 0, 500)),
        reference: random() < 0.5 ? `B&W-${randomInt(random, 1000, 9999)}` : null,
        note: null,
        castAt: occurredAt,
      };
      return { ...base, actor: { keyId: ids.collegeKeyIds.get(municipalityId) ?? null, role: 'college', organisationId: municipalityId }, action: 'vote.cast', data: { vote } };
    }
    if (roll < 0.94) {
      const status = random() < 0.67 ? 'ratified' : 'rejected';
      return { ...base, actor: secretariat, action: `decision.${status}`, data: { decision: fakeDecision(decisionId, status, occurredAt) } };
    }
    if (roll < 0.98) {
      return { ...base, actor: secretariat, action: 'decision.updated', data: { before: fakeDecision(decisionId, 'draft', occurredAt), decision: fakeDecision(decisionId, 'draft', occurredAt) } };
    }
    const organisationId = pick(random, ids.organisations);
    const organisation = (name: string) => ({ id: organisationId, name, kind: 'applicant', centreMunicipality: false, kvkNumber: String(randomInt(random, 10_000_000, 99_999_999)), createdAt: occurredAt, updatedAt: occurredAt });
    return {
      ...base,
      resourceType: 'organisation',
      resourceId: organisationId,
      actor: secretariat,
      action: 'organisation.updated',
      data: { before: organisation('Aanvrager BV'), organisation: organisation('Aanvrager B.V.') },
    };
  };
}

export async function generateAuditEvents(options: GenerateOptions): Promise<GenerateResult> {
  const { client, count } = options;
  const batchSize = options.batchSize ?? 2_000;
  const random = seededRandom(options.seed ?? 20260215);
  const ids = options.ids ?? syntheticPools();
  const nextEvent = makeEventFactory(random, ids);

  await client.query('BEGIN');
  try {
    const { rows } = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE');
    if (rows[0] === undefined) throw new Error('audit_head row missing: run the migrations first');
    let seq = Number(rows[0].seq);
    let prevHash = seq === 0 ? GENESIS_HASH : rows[0].hash;
    const firstSeq = seq + 1;
    let bytes = 0;
    let done = 0;
    let inFlight: Promise<unknown> | undefined;

    while (done < count) {
      const size = Math.min(batchSize, count - done);
      const cols: unknown[][] = Array.from({ length: 11 }, () => new Array<unknown>(size));
      const occurredAt = new Date().toISOString();
      for (let i = 0; i < size; i++) {
        const draft = nextEvent(occurredAt);
        seq++;
        const event: UnhashedEvent = { ...draft, seq };
        const hash = eventHash(prevHash, event);
        const data = JSON.stringify(event.data);
        bytes += data.length + 400;
        cols[0]![i] = seq;
        cols[1]![i] = occurredAt;
        cols[2]![i] = event.actor.keyId;
        cols[3]![i] = event.actor.role;
        cols[4]![i] = event.actor.organisationId;
        cols[5]![i] = event.action;
        cols[6]![i] = event.resourceType;
        cols[7]![i] = event.resourceId;
        cols[8]![i] = data;
        cols[9]![i] = prevHash;
        cols[10]![i] = hash;
        prevHash = hash;
      }
      // One batch on the wire while the next is being hashed: PostgreSQL and node work in parallel.
      if (inFlight) await inFlight;
      inFlight = client.query(INSERT, cols);
      done += size;
      options.onProgress?.(done);
    }
    if (inFlight) await inFlight;
    await client.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [seq, prevHash]);
    await client.query('COMMIT');
    return { firstSeq, lastSeq: seq, headHash: prevHash, bytes };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
