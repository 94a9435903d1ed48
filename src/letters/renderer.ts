import { Piscina } from 'piscina';
import type { Letter } from '../domain/letter.js';
import type { LetterFormat, RenderTask } from './render-worker.js';

/**
 * Renders letters off the event loop: a PDF holds the thread that renders it for 0.1 to 0.25 s,
 * which on the event loop would stall every other request of the instance (and a burst of new
 * letters made it shed load). A pool of `threads` worker threads (piscina) renders them instead;
 * the threads start with the first letter, load pdfmake and docx once, and stop after a minute
 * without work. With `threads` 0 the letter renders on the event loop, its modules loaded with
 * the first one. The bytes are the same either way.
 */
export interface LetterRenderer {
  render(format: LetterFormat, letter: Letter): Promise<Buffer>;
  /** Stops the threads; a later `render` starts them again. */
  close(): Promise<void>;
  /** Letters rendered by the threads so far (0 with none). */
  readonly renderedInThreads: number;
}

// The worker beside this module: compiled JavaScript, or TypeScript when run by tsx (`npm run dev`).
const WORKER = new URL(`./render-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
const IDLE_MS = 60_000;

export function letterRenderer(threads: number): LetterRenderer {
  if (threads === 0) {
    return {
      render: async (format, letter) => (await import('./render-worker.js')).default({ format, letter }),
      close: async () => undefined,
      renderedInThreads: 0,
    };
  }
  let pool: Piscina<RenderTask, Uint8Array> | undefined;
  let rendered = 0;
  return {
    async render(format, letter) {
      pool ??= new Piscina<RenderTask, Uint8Array>({ filename: WORKER, minThreads: 0, maxThreads: threads, idleTimeout: IDLE_MS });
      // A Buffer comes back from the thread as a plain Uint8Array (a copy of its bytes).
      const bytes = await pool.run({ format, letter });
      rendered++;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    async close() {
      const closing = pool;
      pool = undefined;
      await closing?.destroy();
    },
    get renderedInThreads() {
      return rendered;
    },
  };
}
