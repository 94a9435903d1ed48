import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import helmet from 'helmet';
import { API_VERSION } from './schemas.js';

/**
 * The headers the contract promises on every response, defined once: the hooks of the
 * conventions plugin send them, and so does the handler of the errors the router raises before
 * any hook runs. Helmet writes the security headers; which of its policies applies depends on
 * the request:
 * - the API gets `default-src 'none'`; the Swagger UI under /docs gets what its page needs from
 *   its own origin and nothing else (no inline script or style, no third-party host, no framing);
 * - `upgrade-insecure-requests`, Cross-Origin-Opener-Policy and Origin-Agent-Cluster go out over
 *   HTTPS only (`X-Forwarded-Proto` counts when TRUST_PROXY names the proxy): over plain HTTP
 *   `upgrade-insecure-requests` would make the UI fetch its assets over an https that is not
 *   there, and browsers ignore the other two there (Chromium logs a console error for COOP).
 * - Strict-Transport-Security goes out on every response, as the contract promises: a browser
 *   ignores it when it arrives over plain HTTP (RFC 6797, section 8.1), so it cannot break a page,
 *   and a client behind a TLS-terminating proxy that is not trusted still gets it.
 */
/** Whether to believe the X-Forwarded-Proto of a peer at this address and hop (from TRUST_PROXY). */
export type ProxyTrust = (address: string, hop: number) => boolean;

export interface ResponseHeaders {
  /** Helmet's security headers for this request (onRequest: also on responses that fail later). */
  security(request: FastifyRequest, reply: FastifyReply): void;
  /** API-Version, X-Request-Id and, outside the Swagger UI and public data, `Cache-Control: no-store`. */
  contract(request: FastifyRequest, reply: FastifyReply): void;
}

export interface ResponseHeaderOptions {
  /** Whose X-Forwarded-Proto to believe (TRUST_PROXY). */
  trust: ProxyTrust;
  /** Origins besides its own that the Swagger UI may call: that of PUBLIC_BASE_URL when it differs. */
  docsConnectSources?: readonly string[];
}

type Policy = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const HSTS = { maxAge: 31_536_000, includeSubDomains: true };

function apiDirectives() {
  return { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] };
}

function docsDirectives(connectSources: readonly string[]) {
  return {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'", ...connectSources],
  };
}

/** What a helmet policy does to a response: the headers it sets and the ones it removes. */
interface SecurityHeaders {
  set: [name: string, value: string][];
  remove: string[];
}

/**
 * Helmet's headers depend on its options alone (no directive here is a function of the request),
 * so each policy runs once, on a recording response, and every request gets the recorded headers
 * without helmet's middleware chain.
 */
function recorded(run: Policy): SecurityHeaders {
  const headers: SecurityHeaders = { set: [], remove: [] };
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set.push([name, String(value)]),
    removeHeader: (name: string) => headers.remove.push(name),
  };
  let failure: unknown;
  run({ headers: {} } as IncomingMessage, response as unknown as ServerResponse, (error) => {
    failure = error;
  });
  if (failure !== undefined) throw new Error(`helmet refused a policy: ${String(failure)}`);
  return headers;
}

/**
 * Set on the reply, not on the raw response: with no header set on the raw response, Node writes
 * Fastify's headers in one pass (`writeHead`'s fast path) instead of copying each into its own
 * map first.
 */
function apply(headers: SecurityHeaders, reply: FastifyReply): void {
  for (const name of headers.remove) reply.removeHeader(name);
  for (const [name, value] of headers.set) reply.header(name, value);
}

function policy(directives: Record<string, string[]>, https: boolean): SecurityHeaders {
  return recorded(helmet({
    contentSecurityPolicy: { useDefaults: false, directives: https ? { ...directives, upgradeInsecureRequests: [] } : directives },
    strictTransportSecurity: HSTS,
    // Browsers honour these two only in secure contexts, and Chromium complains in the console
    // of a page served over plain HTTP under a non-loopback name that sends them.
    crossOriginOpenerPolicy: https ? { policy: 'same-origin' } : false,
    originAgentCluster: https,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-site' },
  }) as Policy);
}

export function isDocsRequest(request: FastifyRequest): boolean {
  const path = request.url.split('?', 1)[0]!;
  return path === '/docs' || path.startsWith('/docs/');
}

/**
 * Fastify's `request.protocol` with the same trust, computed from the raw request: the requests
 * of the router's own errors are built without the trust-proxy logic, so they cannot ask Fastify.
 */
function isHttps(raw: IncomingMessage, trust: ProxyTrust): boolean {
  const forwarded = raw.headers['x-forwarded-proto'];
  const peer = raw.socket?.remoteAddress;
  if (typeof forwarded === 'string' && peer !== undefined && trust(peer, 0)) {
    return forwarded.slice(forwarded.lastIndexOf(',') + 1).trim().toLowerCase() === 'https';
  }
  return (raw.socket as TLSSocket | undefined)?.encrypted === true;
}

export function responseHeaders(options: ResponseHeaderOptions): ResponseHeaders {
  const docs = docsDirectives(options.docsConnectSources ?? []);
  const policies = {
    api: { http: policy(apiDirectives(), false), https: policy(apiDirectives(), true) },
    docs: { http: policy(docs, false), https: policy(docs, true) },
  };
  return {
    security(request, reply) {
      const kind = isDocsRequest(request) ? policies.docs : policies.api;
      apply(isHttps(request.raw, options.trust) ? kind.https : kind.http, reply);
    },
    contract(request, reply) {
      reply.header('API-Version', API_VERSION);
      reply.header('X-Request-Id', request.id);
      // Public data (the open-data documents) may set its own caching on success; everything else,
      // and every error, is no-store.
      const ownCaching = reply.statusCode < 400 && reply.getHeader('Cache-Control') !== undefined;
      if (!isDocsRequest(request) && !ownCaching) reply.header('Cache-Control', 'no-store');
    },
  };
}
