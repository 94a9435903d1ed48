import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { cosigner } from '../../src/audit/cosignature.js';
import { parseVkey } from '../../src/audit/vkey.js';
import { createWitnessServer } from '../../src/witness/server.js';
import { StateStore } from '../../src/witness/state-store.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface RunningWitness {
  url: string;
  vkey: string;
  /** `<vkey>@<url>`, as AUDIT_LOG_WITNESSES takes it. */
  entry: string;
  close(): Promise<void>;
}

async function listen(t: Teardown, server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The repository's witness, in this process, witnessing the log of `logVkey`. */
export async function startWitness(t: Teardown, name: string, logVkey: string): Promise<RunningWitness> {
  const dir = mkdtempSync(join(tmpdir(), 'witness-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = parseVkey(logVkey);
  const witness = cosigner(name, generateKeyPairSync('ed25519').privateKey);
  const server = createWitnessServer({ logs: new Map([[log.name, [log]]]), cosigner: witness, store: StateStore.open(dir), logger: pino({ level: 'silent' }) });
  const url = await listen(t, server);
  return { url, vkey: witness.vkey, entry: `${witness.vkey}@${url}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A "witness" that answers every request with `status` and `body`, or never answers at all. */
export async function startMisbehavingWitness(t: Teardown, behaviour: { status: number; body: string; type?: string } | 'hang'): Promise<RunningWitness> {
  const name = `misbehaving-${Math.random().toString(36).slice(2)}.example`;
  const witness = cosigner(name, generateKeyPairSync('ed25519').privateKey);
  const server = createServer((request, response) => {
    request.resume();
    if (behaviour === 'hang') return;
    response.writeHead(behaviour.status, { 'Content-Type': behaviour.type ?? 'text/plain' });
    response.end(behaviour.body);
  });
  const url = await listen(t, server);
  return { url, vkey: witness.vkey, entry: `${witness.vkey}@${url}`, close: async () => undefined };
}
