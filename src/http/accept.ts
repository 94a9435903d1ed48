import { DomainError } from '../domain/errors.js';

/**
 * Proactive content negotiation (RFC 9110, section 12.5.1): of the media types a route offers,
 * the one the `Accept` header ranks highest; each offer takes the weight of the most specific
 * range that matches it (`application/pdf` over `application/*` over `*\/*`), ties go to the
 * route's first offer, and `q=0` refuses. No header accepts anything: the first offer. Nothing
 * acceptable: 406.
 */
interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

const MAX_RANGES = 50;

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .slice(0, MAX_RANGES)
    .flatMap((part) => {
      const [range = '', ...params] = part.split(';').map((p) => p.trim());
      const [type, subtype] = range.toLowerCase().split('/');
      if (type === undefined || subtype === undefined || type === '' || subtype === '') return [];
      const qParam = params.find((p) => /^q\s*=/i.test(p));
      const q = qParam === undefined ? 1 : Number(qParam.split('=')[1]);
      return [{ type, subtype, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 }];
    });
}

function weightOf(offer: string, ranges: readonly MediaRange[]): number {
  const [type, subtype] = offer.split('/');
  let best: { specificity: number; q: number } | undefined;
  for (const range of ranges) {
    const specificity =
      range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1;
    if (specificity >= 0 && (best === undefined || specificity > best.specificity)) best = { specificity, q: range.q };
  }
  return best?.q ?? 0;
}

/** The offered media type to answer with, or 406 NOT_ACCEPTABLE naming the offers. */
export function negotiate<const T extends string>(accept: string | undefined, offers: readonly [T, ...T[]]): T {
  if (accept === undefined || accept.trim() === '') return offers[0];
  const ranges = parseAccept(accept);
  let chosen: T | undefined;
  let chosenWeight = 0;
  for (const offer of offers) {
    const weight = weightOf(offer, ranges);
    if (weight > chosenWeight) {
      chosen = offer;
      chosenWeight = weight;
    }
  }
  if (chosen === undefined) throw new DomainError('NOT_ACCEPTABLE', `This resource is available as ${offers.join(', ')}; Accept names none of them.`);
  return chosen;
}
