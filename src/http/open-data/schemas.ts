import { Type } from 'typebox';
import { Nullable } from '../schemas.js';

/**
 * What the open data documents contain, written from what this service emits (not copied from
 * the standards): a 360Giving Data Standard 1.4 package and Popolo vote events.
 */
const Euros = Type.Number({ minimum: 0, description: 'Amount in euros (two decimals at most)' });
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const OrgRef = Type.Object(
  {
    id: Type.String({ description: 'NL-KVK-<KvK number> where known, else 360G-ESZL-ORG-<register id>' }),
    name: Type.String(),
  },
  { additionalProperties: false },
);

export const OpenDataGrant = Type.Object(
  {
    id: Type.String({ description: '360G-ESZL-<decision id>' }),
    title: Type.String(),
    description: Type.String({ description: 'The decision\'s summary, else its title' }),
    currency: Type.Literal('EUR'),
    amountAwarded: Type.Number({ minimum: 0, description: 'What binds, in euros: the final amounts once settled' }),
    amountDisbursed: Euros,
    awardDate: Type.String({ format: 'date', description: 'The day the decision began to bind: adoption, or the last college\'s vote' }),
    // `format` on the list itself: the NL API Design Rules read a property named like a date as a
    // date and ask for `format: date` on it; JSON Schema applies `format` to strings only, so on
    // an array it states what its items hold and checks nothing else.
    plannedDates: Type.Array(Type.Object({ startDate: Day, endDate: Day }, { additionalProperties: false }), {
      format: 'date',
      description: 'Date spans (startDate, endDate): from the first of January of its first year to the end of its last year',
    }),
    recipientOrganization: Type.Array(OrgRef, { description: 'The applicant, else the owner of the programme' }),
    fundingOrganization: Type.Array(OrgRef),
    grantProgramme: Type.Array(Type.Object({ code: Type.String(), title: Type.String() }, { additionalProperties: false })),
    disbursementTransaction: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          transactionDate: Day,
          currency: Type.Literal('EUR'),
          value: Euros,
          description: Type.String({ description: 'The payment\'s reference' }),
          provider: Type.String(),
          recipient: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    relatedDocument: Type.Array(
      Type.Object(
        { id: Type.String(), title: Type.String(), url: Type.String({ format: 'uri' }), documentType: Type.String() },
        { additionalProperties: false },
      ),
    ),
    dateModified: Type.String({ format: 'date-time' }),
  },
  { $id: 'OpenDataGrant', additionalProperties: false },
);

export const OpenDataGrantPackage = Type.Object(
  {
    version: Type.Literal('1.4'),
    title: Type.String(),
    description: Type.String(),
    identifier: Type.String(),
    modified: Type.Optional(Type.String({ format: 'date-time' })),
    publisher: Type.Object({ identifier: Type.String(), name: Type.String() }, { additionalProperties: false }),
    license: Type.String({ format: 'uri' }),
    grants: Type.Array(Type.Ref('OpenDataGrant')),
  },
  { $id: 'OpenDataGrantPackage', additionalProperties: false, description: '360Giving Data Standard package, schema 1.4' },
);

const Named = Type.Object({ id: Type.String(), name: Type.String(), classification: Type.String() }, { additionalProperties: false });

export const PopoloVoteEvent = Type.Object(
  {
    id: Type.String({ description: 'The decision\'s id' }),
    identifier: Type.String({ description: 'The decision\'s reference' }),
    classification: Type.Literal('ratification'),
    organization: Named,
    motion: Type.Object(
      {
        id: Type.String(),
        organization_id: Type.String(),
        text: Type.String(),
        classification: Type.String(),
        date: Type.String({ format: 'date' }),
        requirement: Type.String(),
        result: Type.Union([Type.Literal('passed'), Type.Literal('failed')]),
      },
      { additionalProperties: false },
    ),
    start_date: Nullable(Type.String({ format: 'date', description: 'The day the adoption took effect (adoptedOn): ratification began' })),
    end_date: Nullable(Type.String({ format: 'date', description: 'The day the last college decided (its decidedOn)' })),
    result: Type.Union([Type.Literal('pass'), Type.Literal('fail')]),
    counts: Type.Array(Type.Object({ option: Type.String(), value: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
    votes: Type.Array(
      Type.Object(
        {
          vote_event_id: Type.String(),
          voter_id: Type.String(),
          voter: Named,
          option: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('not voting')]),
          decided_on: Nullable(Type.String({ format: 'date' })),
          reference: Nullable(Type.String()),
        },
        { additionalProperties: false },
      ),
      { description: 'One per college asked to ratify' },
    ),
    sources: Type.Array(Type.Object({ url: Type.String(), note: Type.String() }, { additionalProperties: false })),
  },
  { $id: 'PopoloVoteEvent', additionalProperties: false },
);

export const PopoloVoteEvents = Type.Object(
  { vote_events: Type.Array(Type.Ref('PopoloVoteEvent')) },
  { $id: 'PopoloVoteEvents', additionalProperties: false, description: 'Popolo vote events' },
);

export const openDataComponents = [OpenDataGrant, OpenDataGrantPackage, PopoloVoteEvent, PopoloVoteEvents];
