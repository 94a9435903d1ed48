import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Database } from '../../../src/db/client.js';
import { createLogger } from '../../../src/logger.js';
import { WebhookDispatcher } from '../../../src/notifications/dispatcher.js';

/**
 * Webhooks for the reliability tests without leaving the machine: a receiver on localhost that
 * answers 204, and one dispatcher round on demand (under `inject` no dispatcher runs), so that
 * subscriptions have deliveries to list and redeliver.
 */
export const WEBHOOK_SIGNING_KEY = 'reliability-webhook-signing-key-0123456789';
export const RECEIVER_HOST = 'localhost';

export interface Receiver {
  url: string;
  received: number;
  close(): Promise<void>;
}

export async function startReceiver(t: { teardown(fn: () => unknown): void }): Promise<Receiver> {
  const receiver = { url: '', received: 0, close: async () => {} };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      receiver.received++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, RECEIVER_HOST, resolve));
  receiver.url = `http://${RECEIVER_HOST}:${(server.address() as AddressInfo).port}/eszl-hook`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  t.teardown(() => receiver.close());
  return receiver;
}

/** Fans the outbox out to the subscriptions and delivers what is due, once. */
export async function dispatchOnce(database: Database, allowedHosts: readonly string[]) {
  const dispatcher = new WebhookDispatcher({
    database,
    signingKey: WEBHOOK_SIGNING_KEY,
    allowedHosts,
    logger: createLogger('silent'),
    retryWindowMs: 60_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 10_000,
    timeoutMs: 2_000,
  });
  return dispatcher.runOnce();
}
