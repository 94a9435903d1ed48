import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Plain HTTP helpers for the set-up steps and the export measurements (not load generation). */
export async function requestJson<T = unknown>(
  method: string,
  url: string,
  key: string | undefined,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(key !== undefined && { authorization: `Bearer ${key}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? null : JSON.parse(text)) as T };
}

export interface StreamResult {
  status: number;
  lines: number;
  bytes: number;
  seconds: number;
  firstByteSeconds: number;
  contentType: string;
}

/**
 * GETs `url` and streams the body to `file` (or nowhere), counting newline-terminated lines.
 * The counting is a memchr-speed scan, so the client costs little beside the server.
 */
export async function streamLines(url: string, key: string, file?: string): Promise<StreamResult> {
  const started = process.hrtime.bigint();
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = http.get(url, { headers: { authorization: `Bearer ${key}` } }, resolve);
    request.on('error', reject);
  });
  const firstByteSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  let lines = 0;
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      let at = chunk.indexOf(10);
      while (at !== -1) {
        lines++;
        at = chunk.indexOf(10, at + 1);
      }
      callback(null, chunk);
    },
  });
  const sink =
    file === undefined
      ? new Writable({
          write(_chunk, _encoding, callback) {
            callback();
          },
        })
      : createWriteStream(file, { highWaterMark: 1 << 20 });
  await pipeline(response, counter, sink);
  return {
    status: response.statusCode ?? 0,
    lines,
    bytes,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    firstByteSeconds,
    contentType: String(response.headers['content-type'] ?? ''),
  };
}
