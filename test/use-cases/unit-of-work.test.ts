import t from 'tap';
import { sql } from 'drizzle-orm';
import { fixedClock } from '../../src/domain/clock.js';
import { SYSTEM_PRINCIPAL } from '../../src/domain/access.js';
import { queryRows } from '../../src/db/client.js';
import { readAuditHead } from '../../src/db/audit-repository.js';
import { KeyAlreadyAnswered } from '../../src/db/idempotency-repository.js';
import { createOrganisation } from '../../src/use-cases/organisations.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { runUnitOfWork, SYSTEM_CALLER, type Caller } from '../../src/use-cases/unit-of-work.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * The commit seam, without HTTP: what a use case emits is written with its change, in its
 * transaction, with the Idempotency-Key it runs under and the answer rendered from its result; a
 * failed change writes none of it, its claim of the key included; published events (and only those) also reach the outbox.
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx: ServiceContext = { database: db.database, clock: fixedClock('2026-03-01T12:00:00Z') };
const KEY_ID = '00000000-0000-4000-8000-0000000000aa';

const outboxCount = async () => Number((await queryRows<{ n: string }>(db.database.db, sql`select count(*)::text as n from outbox_events`))[0]!.n);

t.test('the events a use case emits are sealed with its change, under the caller as actor', async (t) => {
  const before = await readAuditHead(db.database.db);
  const caller: Caller = { principal: { keyId: null, role: 'secretariat', organisationId: null } };
  const organisation = await createOrganisation(ctx, caller, { name: 'Gemeente Heerlen', kind: 'municipality' });
  const events = await queryRows<{ action: string; resource_id: string; actor_role: string }>(
    db.database.db,
    sql`select action, resource_id::text as resource_id, actor_role from audit_events where seq > ${before.seq} order by seq`,
  );
  t.same(events, [{ action: 'organisation.created', resource_id: organisation.id, actor_role: 'secretariat' }]);
  t.equal(await outboxCount(), 0, 'an audited-only event reaches no subscriber');
});

/** A caller under `key` whose answer is the result as JSON, with status 201. */
function keyed(key: string): Caller {
  return {
    principal: SYSTEM_PRINCIPAL,
    idempotency: {
      apiKeyId: KEY_ID,
      key,
      requestHash: `hash-of-${key}`,
      waitMs: 1_000,
      render: (result) => ({ status: 201, contentType: 'application/json; charset=utf-8', headers: {}, body: JSON.stringify(result) }),
    },
  };
}

const keyRow = async (key: string) =>
  (
    await queryRows<{ state: string; response_status: number; response_body: string; request_hash: string }>(
      db.database.db,
      sql`select state, response_status, response_body, request_hash from idempotency_keys where api_key_id = ${KEY_ID} and key = ${key}`,
    )
  )[0];

t.test('the Idempotency-Key a change runs under is recorded with the answer rendered from its result, in the same transaction', async (t) => {
  const organisation = await createOrganisation(ctx, keyed('first'), { name: 'Gemeente Maastricht', kind: 'municipality' });
  t.same(await keyRow('first'), { state: 'done', response_status: 201, response_body: JSON.stringify(organisation), request_hash: 'hash-of-first' });
});

t.test('a second change under a key already answered fails with KeyAlreadyAnswered and changes nothing', async (t) => {
  const before = await readAuditHead(db.database.db);
  await t.rejects(createOrganisation(ctx, keyed('first'), { name: 'Gemeente Maastricht bis', kind: 'municipality' }), KeyAlreadyAnswered);
  t.same(await readAuditHead(db.database.db), before, 'the chain did not move');
  t.equal((await keyRow('first'))?.response_body.includes('Gemeente Maastricht"'), true, 'the first answer stays');
});

t.test('a change that fails writes no event and leaves no claim of its Idempotency-Key', async (t) => {
  const before = await readAuditHead(db.database.db);
  const caller = keyed('second');
  await t.rejects(
    runUnitOfWork(ctx, caller, async (uow) => {
      await uow.tx.execute(sql`select 1`);
      uow.emit('organisation.created', {
        organisation: {
          id: '00000000-0000-4000-8000-0000000000bb',
          name: 'Lost',
          kind: 'other',
          centreMunicipality: false,
          kvkNumber: null,
          createdAt: '2026-03-01T12:00:00.000Z',
          updatedAt: '2026-03-01T12:00:00.000Z',
        },
      });
      throw new Error('the change failed');
    }),
    /the change failed/,
  );
  t.same(await readAuditHead(db.database.db), before, 'the chain did not move');
  t.equal(await keyRow('second'), undefined, 'a retry finds no claim and runs the request at once');
});

t.test('a published event also reaches the outbox, with its audience and audit seq', async (t) => {
  const before = await readAuditHead(db.database.db);
  const decision = {
    id: '00000000-0000-4000-8000-0000000000cc',
    commitments: [{ programmeId: '00000000-0000-4000-8000-0000000000dd' }, { programmeId: '00000000-0000-4000-8000-0000000000dd' }],
    ratification: { requiredMunicipalityIds: ['00000000-0000-4000-8000-0000000000ee'] },
  };
  await runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
    // Only the audience is read from the payload: a partial decision is enough for this test.
    uow.emit('decision.withdrawn', { reason: 'test', decision: decision as never });
  });
  const rows = await queryRows<{ event_type: string; decision_id: string; ordering_key: string; audit_seq: string; programme_ids: string[]; municipality_ids: string[] }>(
    db.database.db,
    sql`select event_type, decision_id::text as decision_id, ordering_key::text as ordering_key, audit_seq::text as audit_seq,
               programme_ids::text[] as programme_ids, municipality_ids::text[] as municipality_ids
          from outbox_events`,
  );
  t.same(rows, [
    {
      event_type: 'decision.withdrawn',
      decision_id: decision.id,
      ordering_key: decision.id,
      audit_seq: String(before.seq + 1),
      programme_ids: ['00000000-0000-4000-8000-0000000000dd'],
      municipality_ids: ['00000000-0000-4000-8000-0000000000ee'],
    },
  ]);
});
