import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';

/** The service's logger writing into memory: each line as written, and parsed as JSON. */
export function recordingLogger(level = 'info'): { logger: ReturnType<typeof createLogger>; lines: string[]; records: <T = Record<string, unknown>>() => T[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger(level, sink), lines, records: <T>() => lines.map((line) => JSON.parse(line) as T) };
}
