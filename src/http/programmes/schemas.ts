import { Type } from 'typebox';
import { Nullable, Page, PageQuery, Text, Timestamp, Uuid } from '../schemas.js';

const Code = Type.String({
  pattern: '^[A-Z0-9][A-Z0-9-]{0,31}$',
  maxLength: 32,
  description: 'Unique short code, e.g. WTMR',
});

export const Programme = Type.Object(
  {
    id: Uuid,
    code: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    ownerOrganisationId: Nullable(Uuid),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Programme', additionalProperties: false },
);

export const ProgrammePage = Page(Programme, 'ProgrammePage');

export const CreateProgrammeBody = Type.Object(
  {
    code: Code,
    name: Text(200),
    description: Type.Optional(Nullable(Text(10_000))),
    ownerOrganisationId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);

export const PatchProgrammeBody = Type.Object(
  {
    code: Type.Optional(Code),
    name: Type.Optional(Text(200)),
    description: Type.Optional(Nullable(Text(10_000))),
    ownerOrganisationId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ListProgrammesQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
