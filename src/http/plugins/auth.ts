import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { assertActsFor, type KeyPrincipal, type Role } from '../../domain/access.js';
import { DomainError } from '../../domain/errors.js';
import { authenticate, cachedPrincipal } from '../../use-cases/api-keys.js';
import type { ServiceContext } from '../../use-cases/context.js';

/**
 * Access is declared per route as data (`config.access`) and checked here: 401 for a missing or
 * unknown key (onRequest, before the body is even read), 403 for a role the route does not
 * admit. A college key acting for another municipality is refused by the use case (a domain
 * rule); it is also checked here, before the body is validated, because the contract answers
 * 403 before 400.
 */
export interface RouteAccess {
  roles: readonly Role[];
  /** The municipality the request acts for, read from the (unvalidated) body: checked early for college keys. */
  municipalityOf?: (request: FastifyRequest) => unknown;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: KeyPrincipal;
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/** Where keys come from, said where a newcomer first needs it. */
const FIRST_KEY =
  'An admin issues keys with POST /api/v1/api-keys; the first admin key comes from `npm run api-key -- create --role admin --name <name>` on the server (see docs/errors.md).';

async function authPlugin(app: FastifyInstance, options: { ctx: ServiceContext }): Promise<void> {
  app.decorateRequest('principal', null as unknown as KeyPrincipal);

  const admit = (request: FastifyRequest, access: RouteAccess, principal: KeyPrincipal | undefined): void => {
    if (principal === undefined) throw new DomainError('UNAUTHENTICATED', `The API key is unknown or revoked. ${FIRST_KEY}`);
    request.principal = principal;
    if (!access.roles.includes(principal.role)) {
      throw new DomainError('FORBIDDEN', `An API key with role '${principal.role}' may not do this.`);
    }
  };

  // Synchronous when the key is in this instance's cache (nearly every request), else one lookup.
  app.addHook('onRequest', (request, _reply, done) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) {
      done();
      return;
    }
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (match === null) {
      throw new DomainError('UNAUTHENTICATED', `Send an API key as "Authorization: Bearer <key>". ${FIRST_KEY}`);
    }
    const cached = cachedPrincipal(options.ctx, match[1]!);
    if (cached !== undefined) {
      admit(request, access, cached);
      done();
      return;
    }
    authenticate(options.ctx, match[1]!).then((principal) => {
      try {
        admit(request, access, principal);
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
    }, done);
  });

  // The role first: `routeOptions` builds a new object on every read.
  app.addHook('preValidation', (request, _reply, done) => {
    const access = request.principal?.role === 'college' ? request.routeOptions.config.access : undefined;
    if (access?.municipalityOf !== undefined) {
      const municipalityId = access.municipalityOf(request);
      if (typeof municipalityId === 'string') assertActsFor(request.principal, municipalityId);
    }
    done();
  });
}

export default fp(authPlugin, { name: 'auth' });
