import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as tick } from 'node:timers/promises';
import t from 'tap';
import { producerStream, StreamClosedError } from '../../src/http/producer-stream.js';

/**
 * The stream behind the snapshot export: what the producer writes arrives in order, and a write
 * waits while the reader does not read, so a producer reading the database in batches reads
 * no further ahead than the high-water mark. No database, no app.
 */
const KIB = 1024;

t.test('the reader gets every write, in order, and the end', async (t) => {
  const stream = producerStream(async (write) => {
    for (let i = 0; i < 5; i++) await write(`${i},`);
    await write('');
    await write('end');
  });
  let text = '';
  await pipeline(
    stream,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
  );
  t.equal(text, '0,1,2,3,4,end');
});

t.test('a write waits while the reader does not read, and goes on when it reads', async (t) => {
  let written = 0;
  const stream = producerStream(async (write) => {
    for (let i = 0; i < 20; i++) {
      await write('x'.repeat(16 * KIB));
      written++;
    }
  }, 64 * KIB);
  for (let i = 0; i < 10; i++) await tick();
  t.ok(written <= 4, `at most the high-water mark is written ahead (${written} of 20 writes of 16 KiB, mark 64 KiB)`);
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  t.equal(written, 20, 'every write returned once the reader read');
  t.equal(bytes, 20 * 16 * KIB);
});

t.test('when the reader goes away, the waiting write throws and the producer stops', async (t) => {
  let failure: unknown;
  let finished!: () => void;
  const stopped = new Promise<void>((resolve) => (finished = resolve));
  const stream = producerStream(async (write) => {
    try {
      for (;;) await write('x'.repeat(16 * KIB));
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      finished();
    }
  }, 16 * KIB);
  await tick();
  stream.destroy();
  await stopped;
  t.ok(failure instanceof StreamClosedError, 'the pending write threw StreamClosedError');
});

t.test('a producer that fails destroys the stream with its error', async (t) => {
  const stream = producerStream(async (write) => {
    await write('start');
    throw new Error('the database went away');
  });
  await t.rejects(pipeline(stream, new Writable({ write: (_chunk, _encoding, callback) => callback() })), { message: 'the database went away' });
});
