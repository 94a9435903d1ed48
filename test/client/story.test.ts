import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import t, { type Test as TapTest } from 'tap';
import {
  createDecisionsClient,
  newIdempotencyKey,
  type Decision,
  type DecisionsClient,
  type Organisation,
  type ProblemCode,
  type RequestBody,
} from '../../clients/typescript/src/index.js';
import { CLIENT_SCHEMA_PATH } from '../../scripts/openapi-document.js';
import { fixedClock } from '../../src/domain/clock.js';
import { ADMIN_KEY, startTestApp } from '../helpers/app.js';

/**
 * The seed's story (src/seed/demo.ts) played by a portal through the typed client
 * (clients/typescript: openapi-fetch over the types generated from openapi/openapi.json) against
 * the app over real HTTP: organisations, programmes, the WTMR and AMKB decisions, adoption, the
 * colleges' votes. The compiler checks every path, body and answer; the checks below of the kind
 * `notAny(x)` fail to compile when the generated types degrade to `any`.
 */
type IsAny<T> = 0 extends 1 & T ? true : false;
function notAny<T>(value: T, ..._proof: IsAny<T> extends true ? ['the type is any'] : []): T {
  return value;
}
/** Compiles only when `Actual` is exactly `true`. */
function typeCheck<Actual extends true>(_description: string): void {}

const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
await ctx.app.listen({ port: 0, host: '127.0.0.1' });
const baseUrl = `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}/api/v1`;
const admin = createDecisionsClient({ baseUrl, apiKey: ADMIN_KEY });

/** The data of a successful answer, or a failed assertion with the problem. */
function ok<T>(t: TapTest, result: { data?: T; error?: unknown; response: Response }, what: string): T {
  t.ok(result.response.ok, `${what}: ${result.response.status}${result.error === undefined ? '' : ` ${JSON.stringify(result.error)}`}`);
  if (result.data === undefined) throw new Error(`${what} answered ${result.response.status}`);
  return result.data;
}

t.test('the generated types have no any', async (t) => {
  const schema = await readFile(CLIENT_SCHEMA_PATH, 'utf8');
  // Types only: the descriptions in comments are prose, where "any" is an English word.
  const types = schema.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  t.notMatch(types, /:\s*any\b|<any>|\bany\[\]/, 'schema.ts never says any');
});

t.test('a portal plays the WTMR and AMKB story through the typed client', async (t) => {
  const organisation = async (body: RequestBody<'createOrganisation'>): Promise<Organisation> =>
    ok(t, await admin.POST('/organisations', { body }), `register ${body.name}`);

  // A retried registration with the same Idempotency-Key acts once; the browser-readable header says so.
  const key = newIdempotencyKey();
  const eszlBody = { name: 'Stichting Economische Samenwerking Zuid-Limburg (ESZL)', kind: 'foundation' } as const;
  const eszl = ok(t, await admin.POST('/organisations', { body: eszlBody, params: { header: { 'idempotency-key': key } } }), 'register ESZL');
  const retried = await admin.POST('/organisations', { body: eszlBody, params: { header: { 'idempotency-key': key } } });
  t.equal(notAny(retried.data)?.id, eszl.id, 'the retry answers the same organisation');
  t.equal(retried.response.headers.get('idempotent-replayed'), 'true');

  const heerlen = await organisation({ name: 'Gemeente Heerlen', kind: 'municipality', centreMunicipality: true });
  const sittardGeleen = await organisation({ name: 'Gemeente Sittard-Geleen', kind: 'municipality', centreMunicipality: true });
  const maastricht = await organisation({ name: 'Gemeente Maastricht', kind: 'municipality', centreMunicipality: true });
  const colleges = ok(t, await admin.GET('/organisations', { params: { query: { centreMunicipality: true } } }), 'list the colleges');
  t.same(notAny(colleges.items).map((o) => o.name).sort(), ['Gemeente Heerlen', 'Gemeente Maastricht', 'Gemeente Sittard-Geleen']);

  const wtmr = ok(
    t,
    await admin.POST('/programmes', { body: { code: 'WTMR', name: 'Welcome to Maastricht Region', ownerOrganisationId: eszl.id } }),
    'programme WTMR',
  );
  const amkb = ok(t, await admin.POST('/programmes', { body: { code: 'AMKB', name: 'Ambitieus MKB', ownerOrganisationId: eszl.id } }), 'programme AMKB');

  const wtmrDecision: Decision = ok(
    t,
    await admin.POST('/decisions', {
      body: {
        reference: 'ESZL-PB-2025-11-19-WTMR',
        title: 'Principebesluit bijdrage Welcome to Maastricht Region 2026-2027',
        boardMeetingDate: '2025-11-19',
        commitments: [
          { programmeId: wtmr.id, year: 2026, amountCents: 14_000_000, purpose: 'Welcome to Maastricht Region 2026' },
          { programmeId: wtmr.id, year: 2027, amountCents: 25_000_000, purpose: 'Welcome to Maastricht Region 2027' },
        ],
        conditions: [{ description: 'WTMR submits measurable result criteria, including the expected number of placements.', dueDate: '2026-02-15' }],
      },
    }),
    'decision WTMR',
  );
  t.equal(notAny(wtmrDecision.totalAmountCents), 39_000_000);
  t.equal(wtmrDecision.ratification.required, true, 'EUR 390,000 needs ratification');
  const amkbDecision = ok(
    t,
    await admin.POST('/decisions', {
      body: {
        reference: 'ESZL-PB-2025-11-19-AMKB',
        title: 'Principebesluit bijdrage Ambitieus MKB, kwartiermakersfase',
        boardMeetingDate: '2025-11-19',
        commitments: [{ programmeId: amkb.id, year: 2026, amountCents: 20_250_000, purpose: 'Kwartiermakersfase' }],
      },
    }),
    'decision AMKB',
  );

  for (const decision of [wtmrDecision, amkbDecision]) {
    const adopted = ok(t, await admin.POST('/decisions/{id}/adopt', { params: { path: { id: decision.id } } }), `adopt ${decision.reference}`);
    t.equal(adopted.status, 'pending_ratification');
    t.same([...adopted.ratification.requiredMunicipalityIds].sort(), [heerlen.id, sittardGeleen.id, maastricht.id].sort());
  }

  const collegeOf = async (municipality: Organisation): Promise<DecisionsClient> => {
    const created = ok(
      t,
      await admin.POST('/api-keys', { body: { name: `College ${municipality.name}`, role: 'college', organisationId: municipality.id } }),
      `college key of ${municipality.name}`,
    );
    return createDecisionsClient({ baseUrl, apiKey: notAny(created.key) });
  };
  const vote = (college: DecisionsClient, municipality: Organisation, decidedOn: string) =>
    college.POST('/decisions/{id}/votes', {
      params: { path: { id: wtmrDecision.id } },
      body: { municipalityId: municipality.id, outcome: 'approve', decidedOn },
    });

  const maastrichtCollege = await collegeOf(maastricht);
  const first = ok(t, await vote(maastrichtCollege, maastricht, '2026-02-03'), 'Maastricht approves');
  t.equal(notAny(first.outcome), 'approve');
  const heerlenCollege = await collegeOf(heerlen);
  ok(t, await vote(heerlenCollege, heerlen, '2026-02-10'), 'Heerlen approves');

  const again = await vote(heerlenCollege, heerlen, '2026-02-11');
  t.equal(again.response.status, 409, 'votes are final');
  const code: ProblemCode | undefined = notAny(again.error)?.code;
  t.equal(code, 'VOTE_ALREADY_CAST');
  typeCheck<'VOTE_ALREADY_CAST' extends NonNullable<typeof again.error>['code'] ? true : false>('castVote lists VOTE_ALREADY_CAST');
  typeCheck<'PROGRAMME_CODE_TAKEN' extends NonNullable<typeof again.error>['code'] ? false : true>('and not the codes it cannot answer');
  typeCheck<IsAny<NonNullable<typeof again.error>['code']> extends false ? true : false>('error codes are not any');

  const sittardCollege = await collegeOf(sittardGeleen);
  ok(t, await vote(sittardCollege, sittardGeleen, '2026-02-17'), 'Sittard-Geleen approves');

  const ratified = ok(t, await admin.GET('/decisions/{id}', { params: { path: { id: wtmrDecision.id } } }), 'read WTMR');
  t.equal(notAny(ratified.status), 'ratified', 'the third approval ratifies WTMR');
  t.equal(ratified.ratification.votes.length, 3);

  const funding = ok(t, await admin.GET('/programmes/{id}/funding', { params: { path: { id: wtmr.id } } }), 'WTMR funding');
  t.same(
    notAny(funding.years).map((y) => [y.year, y.bindingCents, y.pendingCents]),
    [
      [2026, 14_000_000, 0],
      [2027, 25_000_000, 0],
    ],
    'the money is binding',
  );
  const pending = ok(t, await admin.GET('/decisions', { params: { query: { status: 'pending_ratification' } } }), 'pending decisions');
  t.same(
    pending.items.map((d) => d.reference),
    ['ESZL-PB-2025-11-19-AMKB'],
    'AMKB still awaits the colleges',
  );

  const reader = createDecisionsClient({ baseUrl, apiKey: 'eszl_not-a-key-of-this-service-at-all-0000000000' });
  const refused = await reader.GET('/decisions');
  t.equal(refused.response.status, 401);
  t.equal(refused.error?.code, 'UNAUTHENTICATED');
});
