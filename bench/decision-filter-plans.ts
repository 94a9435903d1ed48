import pg from 'pg';
import { openDatabase } from '../src/db/client.js';
import { asc } from 'drizzle-orm';
import { filteredPageQuery, type DecisionFilter } from '../src/db/decision-list-repository.js';
import { withChildren } from '../src/db/decisions-repository.js';
import { decisions } from '../src/db/schema.js';
import { generateDecisions, TODAY } from './lib/decision-gen.js';
import { createDatabase, databaseUrl, dropBenchDatabase } from './lib/pg.js';
import { log, parseArgs } from './lib/util.js';

/**
 * The query plans of GET /decisions with each back-office filter, on 100,000 decisions in a
 * throw-away PostgreSQL database (`eszl_bench_<timestamp>_plans`, dropped at the end unless
 * `--keep`). The data is generated in SQL: 3 centre municipalities, 200 applicants, 10
 * programmes; 10 % drafts, 40 % adopted, 10 % pending ratification (Heerlen voted on about half,
 * a third of them past their due date), 25 % ratified, 5 % rejected, 10 % withdrawn; 1 % of the
 * adopted suspected of splitting. Each plan is EXPLAIN (ANALYZE, BUFFERS) of the very statement
 * the repository runs for the first page of 50 (`filteredPageQuery`).
 *
 *   npx tsx bench/decision-filter-plans.ts [--decisions 100000] [--keep]
 */
const { flags, values } = parseArgs(process.argv.slice(2));
const DECISIONS = Number(values.get('decisions') ?? 100_000);
const name = `eszl_bench_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_plans`;

await createDatabase(name);
const database = await openDatabase({ databaseUrl: databaseUrl(name), dataDir: 'unused', poolSize: 2 });
const client = new pg.Client({ connectionString: databaseUrl(name) });
await client.connect();
try {
  log(`generating ${DECISIONS} decisions in ${name}`);
  await generateDecisions(client, DECISIONS);
  const { rows: ids } = await client.query<{ heerlen: string; applicant: string; reference: string }>(`
    select (select id::text from organisations where name = 'Gemeente Heerlen') as heerlen,
           (select id::text from organisations where kind = 'applicant' order by name limit 1 offset 1) as applicant,
           (select reference from decisions order by created_at desc limit 1 offset 500) as reference`);
  const { heerlen, applicant, reference } = ids[0]!;
  const cases: [string, DecisionFilter][] = [
    ['awaitingVoteOf=Heerlen', { awaitingVoteOf: heerlen }],
    ['municipalityId=Heerlen', { municipalityId: heerlen }],
    ['applicantOrganisationId', { applicantOrganisationId: applicant }],
    ['reference', { reference }],
    ['boardMeetingDateFrom/To (one month)', { boardMeetingDateFrom: '2025-11-01', boardMeetingDateTo: '2025-11-30' }],
    ['splittingSuspected=true', { splittingSuspected: true }],
    ['ratificationOverdue=true', { ratificationOverdue: true }],
    ['awaitingVoteOf=Heerlen&ratificationOverdue=true', { awaitingVoteOf: heerlen, ratificationOverdue: true }],
  ];
  // The unfiltered list (and status, programmeId, year) runs a prepared statement of this shape.
  const unfiltered = database.db.query.decisions.findMany({ orderBy: [asc(decisions.createdAt), asc(decisions.id)], limit: 51, with: withChildren });
  const explained: [string, { sql: string; params: unknown[] }][] = [
    ['no filter (the prepared statement of the unfiltered list)', unfiltered.toSQL()],
    ...cases.map(([label, filter]): [string, { sql: string; params: unknown[] }] => [label, filteredPageQuery(database.db, filter, undefined, 50, TODAY).toSQL()]),
  ];
  for (const [label, { sql, params }] of explained) {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${sql}`, params);
    const plan = rows.map((row) => row['QUERY PLAN']);
    process.stdout.write(`\n=== ${label}\n${compact(plan).join('\n')}\n`);
  }
} finally {
  await client.end();
  await database.close();
  if (flags.has('keep')) log(`kept database ${name}`);
  else await dropBenchDatabase(name);
}

/**
 * The decision scan is what the filters change; the children (commitments, conditions, votes)
 * are aggregated per listed decision by the same lateral subqueries whatever the filter. Those
 * subplans are shown as their one `Aggregate` line (with its loops: the number of decisions
 * whose children were loaded), and buffer lines are left out.
 */
function compact(plan: string[]): string[] {
  const out: string[] = [];
  let skipBelow: number | undefined;
  for (const line of plan) {
    const indent = line.search(/\S/);
    if (skipBelow !== undefined && indent > skipBelow) continue;
    skipBelow = undefined;
    if (/^\s*Buffers:/.test(line)) continue;
    out.push(line);
    if (/->\s+Aggregate \(/.test(line)) skipBelow = indent;
  }
  return out;
}
