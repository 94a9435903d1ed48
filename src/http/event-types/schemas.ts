import { Type } from 'typebox';
import { EVENT_CATALOGUE, EVENT_TYPES } from '../../domain/events.js';
import { StringEnum } from '../schemas.js';

/** The schemas of `GET /event-types`: what each event type of the catalogue means, as the NL GOV profile asks producers to publish. */
const RESOURCES = [...new Set(EVENT_TYPES.map((type) => EVENT_CATALOGUE[type].resourceType))];

export const EventTypeDescription = Type.Object(
  {
    type: StringEnum(EVENT_TYPES, { description: 'The type as the catalogue, the eszl-v1 body and the event feed name it' }),
    cloudEventType: Type.String({ description: 'The CloudEvents type attribute: nl.funding-decisions. followed by the type' }),
    summary: Type.String({ description: 'What happened' }),
    published: Type.Boolean({ description: 'Whether subscriptions and the event feed receive it (else it is in the audit trail only)' }),
    resource: StringEnum(RESOURCES, { description: 'The kind of resource the event is about; its id is the CloudEvent subject' }),
    schemaUrl: Type.String({ format: 'uri', description: 'The JSON Schema of its data, served without authentication; a CloudEvent names it in dataschema' }),
  },
  { $id: 'EventTypeDescription', additionalProperties: false },
);

export const EventTypeList = Type.Object({ items: Type.Array(Type.Ref('EventTypeDescription')) }, { $id: 'EventTypeList', additionalProperties: false });

/** A JSON Schema 2020-12 document, self-contained. */
export const EventDataSchema = Type.Object(
  {
    title: Type.String(),
    description: Type.String(),
  },
  {
    $id: 'EventDataSchema',
    additionalProperties: true,
    description: 'A JSON Schema (2020-12) of the data of one event type: $schema the 2020-12 dialect, $id the URL it is served at, its components in $defs',
  },
);

export const eventTypeComponents = [EventTypeDescription, EventTypeList, EventDataSchema];
