import type { TSchema } from 'typebox';
import { API_MODULES } from './api-routes.js';

/**
 * The shared response schemas (`components.schemas` of the OpenAPI document), each with its
 * `$id`: routes, event payloads and the webhooks section refer to them by that name. Each is
 * declared by its route module in the API's one registry (`api-routes.ts`).
 */
export const COMPONENT_SCHEMAS: readonly TSchema[] = API_MODULES.flatMap((module) => module.components);

/** The components by name, as TypeBox's `Value` functions take the targets of `Type.Ref`. */
export function componentsByName(): Record<string, TSchema> {
  return Object.fromEntries(COMPONENT_SCHEMAS.map((schema) => [String((schema as { $id?: string }).$id), schema]));
}
