import { once } from 'node:events';
import { join } from 'node:path';
import { cosigner } from '../audit/cosignature.js';
import { DataDirLockedError, lockDataDir } from '../db/data-dir-lock.js';
import { createLogger } from '../logger.js';
import { GENERATED_KEY_FILE, loadWitnessConfig, WitnessConfigError, type WitnessConfig } from '../witness/config.js';
import { createWitnessServer } from '../witness/server.js';
import { StateStore } from '../witness/state-store.js';

/**
 * A witness of the ESZL transparency log, for a municipality to run with its own key
 * (`npm run witness`, or `node dist/cli/witness.js`): it cosigns each checkpoint of the logs it
 * knows that is consistent with the last one it cosigned, and refuses any other (C2SP
 * tlog-witness). The first line of its output is its vkey, for the log's operator to configure
 * (AUDIT_LOG_WITNESSES=<vkey>@<its URL>); the log lines follow, as JSON.
 */
function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(78);
}

let config: WitnessConfig;
try {
  config = loadWitnessConfig(process.env);
} catch (error) {
  if (error instanceof WitnessConfigError) fail(error.message);
  throw error;
}

let release: () => void;
try {
  // Two witnesses on one directory would each check against their own memory: no atomicity left.
  release = lockDataDir(config.dataDir, 'witness');
} catch (error) {
  if (error instanceof DataDirLockedError) fail(`WITNESS_DATA_DIR ${config.dataDir} is in use by another process (${error.holder?.command ?? 'unknown'}, pid ${error.holder?.pid ?? '?'})`);
  throw error;
}

const witness = cosigner(config.name, config.key);
process.stdout.write(`${witness.vkey}\n`);
const logger = createLogger(process.env.LOG_LEVEL ?? 'info');
if (config.generatedKey) {
  logger.warn({ file: join(config.dataDir, GENERATED_KEY_FILE) }, 'WITNESS_SIGNING_KEY is not set: generated a key into the data directory; keep it, or the log must be given the new vkey');
}
const store = StateStore.open(config.dataDir);
const server = createWitnessServer({ logs: config.logs, cosigner: witness, store, logger });
server.listen(config.port, config.host);
await once(server, 'listening');
const address = server.address();
const port = typeof address === 'object' && address !== null ? address.port : config.port;
logger.info({ host: config.host, port, logs: [...config.logs.keys()], vkey: witness.vkey }, `witness listening on http://${config.host}:${port}`);

const stop = (signal: string) => {
  logger.info({ signal }, 'witness stopping');
  server.close(() => {
    release();
    process.exit(0);
  });
  server.closeAllConnections();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
