import type { TSchema } from 'typebox';
import { apiKeyComponents } from './api-keys/routes.js';
import { organisationComponents } from './organisations/routes.js';
import { programmeComponents } from './programmes/routes.js';
import { decisionComponents } from './decisions/routes.js';
import { decisionHistoryComponents } from './decisions/history-routes.js';
import { fundingComponents } from './decisions/funding-routes.js';
import { afterAdoptionComponents } from './decisions/after-adoption-routes.js';
import { auditComponents } from './audit/routes.js';
import { checkpointComponents } from './audit/checkpoint-routes.js';
import { openDataComponents } from './open-data/schemas.js';
import { webhookComponents } from './webhooks/routes.js';
import { statuteRuleComponents } from './statute-rules/routes.js';
import { fundComponents } from './fund/routes.js';
import { indicatorComponents } from './indicators/routes.js';
import { collegeDecisionComponents } from './college-decisions/routes.js';
import { eventFeedComponents } from './events/routes.js';

/**
 * The shared response schemas (`components.schemas` of the OpenAPI document), each with its
 * `$id`: routes, event payloads and the webhooks section refer to them by that name.
 */
export const COMPONENT_SCHEMAS: readonly TSchema[] = [
  ...apiKeyComponents,
  ...organisationComponents,
  ...programmeComponents,
  ...decisionComponents,
  ...decisionHistoryComponents,
  ...fundingComponents,
  ...afterAdoptionComponents,
  ...auditComponents,
  ...checkpointComponents,
  ...openDataComponents,
  ...webhookComponents,
  ...statuteRuleComponents,
  ...fundComponents,
  ...indicatorComponents,
  ...collegeDecisionComponents,
  ...eventFeedComponents,
];

/** The components by name, as TypeBox's `Value` functions take the targets of `Type.Ref`. */
export function componentsByName(): Record<string, TSchema> {
  return Object.fromEntries(COMPONENT_SCHEMAS.map((schema) => [String((schema as { $id?: string }).$id), schema]));
}
