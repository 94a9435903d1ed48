import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';
import { verifySignature } from '../../src/notifications/signing.js';

/** A webhook message as the service sends it. */
export interface Payload {
  id: string;
  type: string;
  occurredAt: string;
  decisionId: string;
  auditSeq: number;
  data: Record<string, unknown>;
}

export interface Hit {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  payload: Payload;
}

/** A webhook receiver on 127.0.0.1 that records every request and answers with `answer(n)`. */
export class Receiver {
  readonly hits: Hit[] = [];
  answer: (requestNumber: number) => number = () => 200;
  /** How long to wait before answering request n. */
  delayMs: (requestNumber: number) => number = () => 0;
  /** Sent as Location with every answer, when set. */
  location: string | undefined;
  /** More headers of the answer to request n (Retry-After, say). */
  headersFor: (requestNumber: number) => Record<string, string> = () => ({});
  /** The abuse-protection handshakes (OPTIONS) received; they are not among `hits`. */
  readonly handshakes: { headers: http.IncomingHttpHeaders }[] = [];
  /** The answer to a handshake: by default consent to every origin. */
  handshakeAnswer: { status: number; headers: Record<string, string> } = { status: 200, headers: { 'WebHook-Allowed-Origin': '*' } };
  /** When each request arrived (Date.now()), in order. */
  readonly arrivals: number[] = [];
  private server: http.Server | undefined;
  port = 0;

  static async start(t: Test): Promise<Receiver> {
    const receiver = new Receiver();
    await receiver.listen(0);
    t.teardown(() => receiver.stop());
    return receiver;
  }

  private listen(port: number): Promise<void> {
    const server = http.createServer((req, res) => {
      if (req.method === 'OPTIONS') {
        this.handshakes.push({ headers: req.headers });
        res.writeHead(this.handshakeAnswer.status, this.handshakeAnswer.headers);
        res.end();
        return;
      }
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.arrivals.push(Date.now());
        const number = this.hits.length + 1;
        const status = this.answer(number);
        const delay = this.delayMs(number);
        let payload: Payload;
        try {
          payload = JSON.parse(body) as Payload;
        } catch {
          payload = { id: '', type: '', occurredAt: '', decisionId: '', auditSeq: 0, data: {} };
        }
        this.hits.push({ status, headers: req.headers, body, payload });
        res.statusCode = status;
        if (this.location !== undefined) res.setHeader('location', this.location);
        for (const [name, value] of Object.entries(this.headersFor(number))) res.setHeader(name, value);
        if (delay > 0) setTimeout(() => res.end(status < 300 ? 'ok' : 'not now'), delay);
        else res.end(status < 300 ? 'ok' : 'not now');
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/eszl`;
  }

  /** Requests answered 2xx: the deliveries the receiver accepted. */
  get accepted(): Hit[] {
    return this.hits.filter((hit) => hit.status >= 200 && hit.status < 300);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The distinct event ids received. */
  ids(): Set<string> {
    return new Set(this.hits.map((hit) => hit.payload.id));
  }

  /** Listens again on the same port, as a restarted receiver would. */
  async restart(): Promise<void> {
    await this.listen(this.port);
  }
}

/** Whether the message verifies with `secret`, by the service's verifier and by an HMAC computed here. */
export function signedWith(secret: string, hit: Hit): boolean {
  const header = String(hit.headers['eszl-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (match === null) return false;
  const independent = createHmac('sha256', secret).update(`${match[1]}.${hit.body}`).digest('hex');
  const fresh = Math.abs(Number(match[1]) - Date.now() / 1000) < 120;
  return fresh && independent === match[2] && verifySignature(secret, header, hit.body, Math.floor(Date.now() / 1000));
}
