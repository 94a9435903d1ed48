import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { GENERATED_KEY_FILE, loadWitnessConfig, WitnessConfigError } from '../../src/witness/config.js';
import { MemoryLog } from '../helpers/memory-log.js';
import { tempDataDir } from '../helpers/server-process.js';

/** The witness program's environment: every bad value stops it with one line naming the variable; a missing key is generated once. */
const log = new MemoryLog('eszl-decisions/log');
const sameOrigin = new MemoryLog('eszl-decisions/log');
const other = new MemoryLog('other.example/log');
const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const base = { WITNESS_LOGS: log.vkey, WITNESS_NAME: 'heerlen.example/witness', WITNESS_SIGNING_KEY: pem };
const publicKey = (config: ReturnType<typeof loadWitnessConfig>) => config.key.export({ format: 'der', type: 'pkcs8' }).toString('hex');

t.test('a complete environment, and the defaults', async (t) => {
  const config = loadWitnessConfig({ ...base, WITNESS_LOGS: ` ${log.vkey}, ${sameOrigin.vkey},,${other.vkey} ` });
  t.same([...config.logs.keys()].sort(), ['eszl-decisions/log', 'other.example/log']);
  t.same(config.logs.get('eszl-decisions/log')!.map((vkey) => vkey.text), [log.vkey, sameOrigin.vkey], 'two keys trusted for one origin');
  t.match(config, { name: 'heerlen.example/witness', generatedKey: false, dataDir: './witness-data', host: '127.0.0.1', port: 3100 });
  t.equal(config.key.asymmetricKeyType, 'ed25519');
  t.match(loadWitnessConfig({ ...base, HOST: ' 0.0.0.0 ', PORT: '0', WITNESS_DATA_DIR: '/var/lib/witness' }), { host: '0.0.0.0', port: 0, dataDir: '/var/lib/witness' });
  t.match(loadWitnessConfig({ ...base, HOST: ' ', WITNESS_DATA_DIR: '  ' }), { host: '127.0.0.1', dataDir: './witness-data' }, 'blank is unset');
});

t.test('each bad value stops it with a line that names its variable', async (t) => {
  const cases: [string, Record<string, string | undefined>, RegExp][] = [
    ['no logs', { WITNESS_LOGS: undefined }, /^WITNESS_LOGS is required/],
    ['blank logs', { WITNESS_LOGS: '  ' }, /^WITNESS_LOGS is required/],
    ['a bad vkey', { WITNESS_LOGS: `${log.vkey},not-a-vkey` }, /^WITNESS_LOGS: "not-a-vkey": /],
    ['no name', { WITNESS_NAME: undefined }, /^WITNESS_NAME is required/],
    ['a name with a space', { WITNESS_NAME: 'heerlen witness' }, /^WITNESS_NAME is required/],
    ['the name of a log', { WITNESS_NAME: 'eszl-decisions/log' }, /^WITNESS_NAME is the name of a log/],
    ['a port that is no number', { PORT: 'http' }, /^PORT is a port number/],
    ['a port out of range', { PORT: '65536' }, /^PORT is a port number/],
    ['a negative port', { PORT: '-1' }, /^PORT is a port number/],
    ['a key that is no key', { WITNESS_SIGNING_KEY: 'sekrit-not-a-pem' }, /^WITNESS_SIGNING_KEY .*\(value hidden\)$/],
  ];
  for (const [name, env, message] of cases) {
    const error = (() => {
      try {
        loadWitnessConfig({ ...base, ...env });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    t.ok(error instanceof WitnessConfigError, `${name}: a WitnessConfigError`);
    t.match((error as Error).message, message, name);
  }
  let message = '';
  try {
    loadWitnessConfig({ ...base, WITNESS_SIGNING_KEY: 'sekrit-not-a-pem' });
  } catch (e) {
    message = (e as Error).message;
  }
  t.notMatch(message, 'sekrit', 'the key\'s value is never repeated');
});

t.test('without WITNESS_SIGNING_KEY: a key generated once into the data directory, and kept', async (t) => {
  const dataDir = join(await tempDataDir(t, 'witness-config-'), 'state');
  const first = loadWitnessConfig({ ...base, WITNESS_SIGNING_KEY: undefined, WITNESS_DATA_DIR: dataDir });
  t.equal(first.generatedKey, true, 'generated at this start');
  t.ok(existsSync(join(dataDir, GENERATED_KEY_FILE)), 'into the data directory');
  const second = loadWitnessConfig({ ...base, WITNESS_SIGNING_KEY: ' ', WITNESS_DATA_DIR: dataDir });
  t.equal(second.generatedKey, false, 'read back, not generated again');
  t.equal(publicKey(second), publicKey(first), 'the same key');
  const given = loadWitnessConfig({ ...base, WITNESS_DATA_DIR: dataDir });
  t.not(publicKey(given), publicKey(first), 'a key given wins over the generated one');
});
