import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { TSchema } from 'typebox';
import type { CheckpointSettings } from '../use-cases/audit-checkpoints.js';
import type { ServiceContext } from '../use-cases/context.js';
import type { EventFeed } from '../use-cases/event-feed.js';
import type { TlogSettings } from '../use-cases/tlog-settings.js';
import type { WebhookSettings } from '../use-cases/webhooks.js';
import { apiKeyComponents, apiKeyRoutes } from './api-keys/routes.js';
import { auditComponents, auditRoutes } from './audit/routes.js';
import { checkpointComponents, checkpointRoutes } from './audit/checkpoint-routes.js';
import { inclusionProofRoutes } from './audit/inclusion-proof-routes.js';
import { collegeDecisionComponents, collegeDecisionRoutes } from './college-decisions/routes.js';
import { amendmentRoutes } from './decisions/amendments-routes.js';
import { conditionRoutes } from './decisions/conditions-routes.js';
import { disbursementComponents, disbursementRoutes } from './decisions/disbursements-routes.js';
import { documentRoutes } from './decisions/documents-routes.js';
import { decisionEvidenceRoutes } from './decisions/evidence-routes.js';
import { decisionHistoryComponents, decisionHistoryRoutes } from './decisions/history-routes.js';
import { ratificationRequestComponents, ratificationRequestRoutes } from './decisions/ratification-request-routes.js';
import { decisionComponents, decisionRoutes } from './decisions/routes.js';
import { settlementRoutes } from './decisions/settlement-routes.js';
import { voteComponents, voteRoutes } from './decisions/votes-routes.js';
import { eventTypeRoutes } from './event-types/routes.js';
import { eventTypeComponents } from './event-types/schemas.js';
import { eventFeedComponents, eventFeedRoutes } from './events/routes.js';
import { fundComponents, fundRoutes } from './fund/routes.js';
import { fundingComponents, fundingRoutes } from './funding/routes.js';
import { indicatorComponents, indicatorRoutes } from './indicators/routes.js';
import { openDataRoutes, type OpenDataMode } from './open-data/routes.js';
import { openDataComponents } from './open-data/schemas.js';
import { organisationComponents, organisationRoutes } from './organisations/routes.js';
import { coFinancingComponents, coFinancingRoutes } from './programmes/co-financing-routes.js';
import { programmeFundingRoutes } from './programmes/funding-routes.js';
import { programmeComponents, programmeRoutes } from './programmes/routes.js';
import { ratificationComponents, ratificationRoutes } from './ratifications/routes.js';
import { statuteRuleComponents, statuteRuleRoutes } from './statute-rules/routes.js';
import { tlogComponents } from './tlog/components.js';
import { tlogRoutes } from './tlog/routes.js';
import { webhookComponents, webhookRoutes } from './webhooks/routes.js';

/** What the routes under /api/v1 are built with, made once by the app. */
export interface ApiDependencies {
  ctx: ServiceContext;
  feed: EventFeed;
  checkpoints: CheckpointSettings;
  tlog: TlogSettings;
  /** The service's own address, for the event types' schema URLs. */
  serviceBaseUrl: string;
  reminderDays: readonly number[];
  openData: OpenDataMode;
  webhooks: WebhookSettings;
  /** The shared components (`COMPONENT_SCHEMAS`), which the event types' schema documents embed. */
  components: readonly TSchema[];
  /** Worker threads for rendering letters (`LETTER_RENDER_THREADS`; 0: on the event loop). */
  letterThreads: number;
}

/** One module of the API: its routes, and the shared response schemas it declares. */
export interface ApiModule {
  register(api: FastifyInstance, dependencies: ApiDependencies): Promise<void>;
  components: readonly TSchema[];
}

function api<O>(routes: (app: FastifyInstance, options: O) => Promise<void>, options: (dependencies: ApiDependencies) => O, components: readonly TSchema[] = []): ApiModule {
  return {
    register: async (app, dependencies) => {
      await app.register(routes as unknown as FastifyPluginAsync<Record<string, unknown>>, options(dependencies) as Record<string, unknown>);
    },
    components,
  };
}

const withCtx = ({ ctx }: ApiDependencies) => ({ ctx });

/**
 * The API under /api/v1, one entry per route module, in the order the OpenAPI document lists
 * them: the app registers each, and the OpenAPI components are what they declare
 * (`src/http/components.ts`). A URL's module is found by its path: `/decisions/{id}/votes` in
 * `decisions/votes-routes.ts`, `/funding` in `funding/routes.ts`.
 */
export const API_MODULES: readonly ApiModule[] = [
  api(apiKeyRoutes, withCtx, apiKeyComponents),
  api(organisationRoutes, withCtx, organisationComponents),
  api(programmeRoutes, withCtx, programmeComponents),
  api(programmeFundingRoutes, withCtx),
  api(coFinancingRoutes, withCtx, coFinancingComponents),
  api(decisionRoutes, withCtx, decisionComponents),
  api(documentRoutes, withCtx),
  api(conditionRoutes, withCtx),
  api(voteRoutes, withCtx, voteComponents),
  api(decisionHistoryRoutes, withCtx, decisionHistoryComponents),
  api(disbursementRoutes, withCtx, disbursementComponents),
  api(amendmentRoutes, withCtx),
  api(settlementRoutes, withCtx),
  api(fundingRoutes, withCtx, fundingComponents),
  api(collegeDecisionRoutes, withCtx, collegeDecisionComponents),
  api(auditRoutes, withCtx, auditComponents),
  api(eventFeedRoutes, ({ feed }) => ({ feed }), eventFeedComponents),
  api(eventTypeRoutes, ({ serviceBaseUrl, components }) => ({ baseUrl: serviceBaseUrl, components }), eventTypeComponents),
  api(statuteRuleRoutes, withCtx, statuteRuleComponents),
  api(fundRoutes, withCtx, fundComponents),
  api(indicatorRoutes, withCtx, indicatorComponents),
  api(checkpointRoutes, ({ ctx, checkpoints }) => ({ ctx, settings: checkpoints }), checkpointComponents),
  api(tlogRoutes, ({ ctx, tlog }) => ({ ctx, settings: tlog }), tlogComponents),
  api(inclusionProofRoutes, ({ ctx, tlog }) => ({ ctx, settings: tlog })),
  api(decisionEvidenceRoutes, ({ ctx, tlog }) => ({ ctx, settings: tlog })),
  api(ratificationRequestRoutes, ({ ctx, tlog, letterThreads }) => ({ ctx, tlog, letterThreads }), ratificationRequestComponents),
  api(ratificationRoutes, ({ ctx, reminderDays }) => ({ ctx, reminderDays }), ratificationComponents),
  api(openDataRoutes, ({ ctx, openData }) => ({ ctx, mode: openData }), openDataComponents),
  api(webhookRoutes, ({ ctx, webhooks }) => ({ ctx, settings: webhooks }), webhookComponents),
];
