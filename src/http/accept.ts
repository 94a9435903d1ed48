import { format, parse } from 'content-type';
import Negotiator from 'negotiator';
import { DomainError } from '../domain/errors.js';

/**
 * Proactive content negotiation (RFC 9110, section 12.5.1) by `negotiator` (jshttp, the library
 * behind Express's `req.accepts`): of the media types a route offers, the one the `Accept` header
 * ranks highest. Each offer takes the weight of the most specific range that matches it
 * (`application/pdf` over `application/*` over `*\/*`), and `q=0` refuses. Of offers of equal
 * weight, the one a more specific range matched wins, then the one whose range the header names
 * first, then the route's first offer. No header (or a blank one) accepts anything: the first
 * offer. Nothing acceptable: 406.
 *
 * Two rules are ours: a range's parameters other than `q` are not matched (negotiator would match
 * `application/pdf;charset=binary` to no offer, none of the routes' offers having parameters),
 * and only the header's first 50 ranges count. So the header is read into its ranges by
 * `content-type` (the parser negotiator itself uses) and handed on with their weights alone.
 */
const MAX_RANGES = 50;

/** The header's first `MAX_RANGES` ranges, each as `type/subtype` with its `q` only; a range that is no media type is left out. */
function rangesWithWeights(header: string): string {
  const ranges: string[] = [];
  for (let start = 0, count = 0; start < header.length && count < MAX_RANGES; count++) {
    const { type, index, parameters } = parse(header, { comma: true, start });
    start = index + 1;
    try {
      ranges.push(format({ type, parameters: parameters.q === undefined ? {} : { q: parameters.q } }));
    } catch {
      // No media type (`garbage`, `text/`): it matches no offer.
    }
  }
  return ranges.join(', ');
}

/** The offered media type to answer with, or 406 NOT_ACCEPTABLE naming the offers. */
export function negotiate<const T extends string>(accept: string | undefined, offers: readonly [T, ...T[]]): T {
  if (accept === undefined || accept.trim() === '') return offers[0];
  const [chosen] = new Negotiator({ headers: { accept: rangesWithWeights(accept) } }).mediaTypes(offers) as T[];
  if (chosen === undefined) throw new DomainError('NOT_ACCEPTABLE', `This resource is available as ${offers.join(', ')}; Accept names none of them.`);
  return chosen;
}
