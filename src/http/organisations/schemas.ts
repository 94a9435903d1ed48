import { Type } from 'typebox';
import { ORGANISATION_KINDS } from '../../domain/organisations.js';
import { Nullable, Page, PageQuery, StringEnum, Text, Timestamp, Uuid } from '../schemas.js';

const Kind = StringEnum(ORGANISATION_KINDS, { description: 'What kind of organisation this is' });
const KvkNumber = Type.String({ pattern: '^[0-9]{8}$', description: 'Dutch Chamber of Commerce (KvK) number, 8 digits' });
const CentreMunicipality = Type.Boolean({
  description: 'True only for a municipality whose college ratifies contributions of EUR 100,000 or more',
});

export const Organisation = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    kind: Kind,
    centreMunicipality: CentreMunicipality,
    kvkNumber: Nullable(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Organisation', additionalProperties: false },
);

export const OrganisationPage = Page(Organisation, 'OrganisationPage');

export const CreateOrganisationBody = Type.Object(
  {
    name: Text(200),
    kind: Kind,
    centreMunicipality: Type.Optional(CentreMunicipality),
    kvkNumber: Type.Optional(Nullable(KvkNumber)),
  },
  { additionalProperties: false },
);

export const PatchOrganisationBody = Type.Object(
  {
    name: Type.Optional(Text(200)),
    kind: Type.Optional(Kind),
    centreMunicipality: Type.Optional(CentreMunicipality),
    kvkNumber: Type.Optional(Nullable(KvkNumber)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ListOrganisationsQuery = Type.Object(
  {
    kind: Type.Optional(Kind),
    centreMunicipality: Type.Optional(Type.Boolean()),
    ...PageQuery,
  },
  { additionalProperties: false },
);
