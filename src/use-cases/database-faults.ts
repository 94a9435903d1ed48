/**
 * Whether a failure means the database is out of reach rather than that a request or the code
 * is wrong: the HTTP edge answers such a failure 503 with Retry-After. The driver's error codes
 * and messages are the repositories' knowledge (db/errors.ts).
 */
export { isDatabaseUnavailable } from '../db/errors.js';
