import { Type } from 'typebox';
import { CalendarDate, Nullable, Page, Text, Uuid } from '../schemas.js';
import { Outcome, Vote } from './schemas.js';

/** Schemas of the colleges' votes. */
export const VoteList = Page(Vote, 'VoteList');

export const VoteBody = Type.Object(
  {
    municipalityId: Type.Optional(Type.Unsafe<string>({ ...Uuid, description: 'The voting municipality; a college key may leave it out (its own)' })),
    outcome: Outcome,
    decidedOn: CalendarDate,
    reference: Type.Optional(Nullable(Text(200))),
    note: Type.Optional(Nullable(Text(4000))),
  },
  { additionalProperties: false },
);
