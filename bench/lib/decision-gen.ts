import type pg from 'pg';
import { log } from './util.js';

/**
 * Decisions generated in SQL, for volumes the use cases would take too long to write: 3 centre
 * municipalities, 200 applicants, 10 programmes; 10 % drafts, 40 % adopted, 10 % pending
 * ratification (Heerlen voted on about half, a third of them past their due date), 25 % ratified,
 * 5 % rejected, 10 % withdrawn; 1 % of the adopted suspected of splitting; one commitment each.
 * Used by decision-filter-plans.ts and exports-memory.ts.
 */
export const TODAY = '2026-03-01';

export async function generateDecisions(db: pg.Client | pg.PoolClient, count: number): Promise<void> {
  await db.query(`
    insert into organisations (name, kind, centre_municipality)
    values ('Gemeente Heerlen', 'municipality', true), ('Gemeente Sittard-Geleen', 'municipality', true), ('Gemeente Maastricht', 'municipality', true);
    insert into organisations (name, kind) select 'Applicant ' || lpad(i::text, 3, '0'), 'applicant' from generate_series(1, 200) i;
    insert into programmes (code, name) select 'P' || i, 'Programme ' || i from generate_series(1, 10) i;`);
  await db.query(`
    create temporary table kinds as
    select i,
           case when i % 20 < 2 then 'draft' when i % 20 < 10 then 'adopted' when i % 20 < 12 then 'pending_ratification'
                when i % 20 < 17 then 'ratified' when i % 20 < 18 then 'rejected' else 'withdrawn' end as status
      from generate_series(1, ${count}) i;
    with centre as (select array_agg(id order by name) as ids from organisations where centre_municipality),
         applicants as (select array_agg(id order by name) as ids from organisations where kind = 'applicant')
    insert into decisions (reference, title, board_meeting_date, applicant_organisation_id, status, total_amount_cents,
                           required_municipality_ids, adopted_at, adopted_on, withdrawn_at, statute_rule_version, threshold_cents,
                           ratification_reason, ratification_due_date, splitting_suspected, splitting_related_decision_ids,
                           created_at, updated_at)
    select 'PB-' || k.i, 'Decision ' || k.i, date '2020-01-01' + (k.i * 7 % 2400),
           case when k.i % 10 = 0 then null else (select ids from applicants)[1 + k.i % 200] end,
           k.status,
           case when k.status in ('pending_ratification', 'ratified', 'rejected') then 15000000 else 5000000 end,
           case when k.status in ('pending_ratification', 'ratified', 'rejected') then (select ids from centre) else '{}'::uuid[] end,
           case when k.status = 'draft' then null else timestamptz '2020-01-01' + k.i * interval '30 minutes' end,
           case when k.status = 'draft' then null else ((timestamptz '2020-01-01' + k.i * interval '30 minutes') at time zone 'Europe/Amsterdam')::date end,
           case when k.status = 'withdrawn' then timestamptz '2020-01-02' + k.i * interval '30 minutes' end,
           case when k.status = 'draft' then null else 1 end,
           case when k.status = 'draft' then null else 10000000 end,
           case when k.status in ('pending_ratification', 'ratified', 'rejected') then 'threshold' end,
           case when k.status = 'pending_ratification' then date '${TODAY}' + (k.i % 90 - 30) end,
           case when k.status = 'draft' then null else (k.status = 'adopted' and k.i % 100 = 3) end,
           case when k.status = 'draft' then null else '{}'::uuid[] end,
           timestamptz '2020-01-01' + k.i * interval '30 minutes', now()
      from kinds k;`);
  await db.query(`
    insert into decision_commitments (decision_id, position, programme_id, year, amount_cents, created_at)
    select d.id, 0, (select id from programmes order by code limit 1 offset (abs(hashtext(d.id::text)) % 10)),
           2020 + (abs(hashtext(d.reference)) % 8), d.total_amount_cents, d.created_at
      from decisions d;`);
  // Votes: every centre municipality on ratified decisions; one rejection on rejected ones; on
  // pending ones Heerlen on about half and Maastricht on a third.
  await db.query(`
    insert into ratification_votes (decision_id, municipality_id, outcome, decided_on, cast_at)
    select d.id, m.id, case when d.status = 'rejected' then 'reject' else 'approve' end, d.board_meeting_date, d.created_at + interval '1 day'
      from decisions d
      join organisations m on m.centre_municipality
     where d.status = 'ratified'
        or (d.status = 'rejected' and m.name = 'Gemeente Heerlen')
        or (d.status = 'pending_ratification' and m.name = 'Gemeente Heerlen' and abs(hashtext(d.reference)) % 2 = 0)
        or (d.status = 'pending_ratification' and m.name = 'Gemeente Maastricht' and abs(hashtext(d.reference)) % 3 = 0);`);
  await db.query('vacuum analyze');
  const { rows } = await db.query<{ status: string; n: string }>('select status, count(*)::text as n from decisions group by 1 order by 1');
  log(`decisions: ${rows.map((r) => `${r.status} ${r.n}`).join(', ')}`);
}
