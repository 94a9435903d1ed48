import { Readable } from 'node:stream';

/** Thrown into a producer whose reader went away (the client hung up): it stops and rolls back. */
export class StreamClosedError extends Error {
  constructor() {
    super('the response stream was closed before the body was complete');
  }
}

/**
 * A byte stream fed by `produce`, which writes text and awaits each write: a write returns at
 * once while less than `highWaterMark` bytes wait, and otherwise only when the reader (the HTTP
 * response, piped by Fastify) asks for more. So a producer that reads the database in batches
 * inside a transaction reads the next batch only when the client has taken the previous one,
 * and memory stays bounded by a batch and the high-water mark. When the stream is destroyed the
 * pending and every later write throw `StreamClosedError`; a failure of `produce` destroys the
 * stream with its error (before the first byte, Fastify then answers it as an error).
 */
export function producerStream(produce: (write: (text: string) => Promise<void>) => Promise<void>, highWaterMark = 64 * 1024): Readable {
  let wake: (() => void) | undefined;
  let closed = false;
  const resume = () => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const stream = new Readable({
    highWaterMark,
    read: resume,
    destroy(error, callback) {
      closed = true;
      resume();
      callback(error);
    },
  });
  const write = async (text: string) => {
    if (closed) throw new StreamClosedError();
    if (text !== '' && !stream.push(text)) await new Promise<void>((resolve) => (wake = resolve));
    if (closed) throw new StreamClosedError();
  };
  produce(write).then(
    () => {
      if (!closed) stream.push(null);
    },
    (error: unknown) => {
      if (!closed) stream.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  return stream;
}
