/**
 * The part of `negotiator` (jshttp/negotiator 1.1.0, which ships no types) that src/http/accept.ts
 * uses: a negotiator over a request's headers, and the offered media types it accepts, best first.
 */
declare module 'negotiator' {
  class Negotiator {
    constructor(request: { headers: Record<string, string | string[] | undefined> });
    /** The offers the Accept header accepts (q > 0), best first; every range the header names when no offers are given. */
    mediaTypes(available?: readonly string[]): string[];
    /** The best of `mediaTypes(available)`, undefined when none is acceptable. */
    mediaType(available?: readonly string[]): string | undefined;
  }
  export default Negotiator;
}
