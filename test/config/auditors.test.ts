import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config.js';
import { generateSigningKeyPem } from '../../src/audit/signing-key.js';

/** The variables of the auditors' features: defaults, and one clear line (never the key) when wrong. */
t.test('defaults: checkpoints every 60 s under eszl-decisions/audit, open data public, no key', async (t) => {
  const config = loadConfig({});
  t.match(config, { AUDIT_CHECKPOINT_ORIGIN: 'eszl-decisions/audit', AUDIT_CHECKPOINT_INTERVAL_S: 60, OPEN_DATA: 'public' });
  t.equal(config.AUDIT_SIGNING_KEY, undefined);
});

t.test('a valid Ed25519 key and settings are taken', async (t) => {
  const pem = generateSigningKeyPem();
  const config = loadConfig({ AUDIT_SIGNING_KEY: pem, AUDIT_CHECKPOINT_ORIGIN: 'example.org/log', AUDIT_CHECKPOINT_INTERVAL_S: '5', OPEN_DATA: 'auth' });
  t.match(config, { AUDIT_SIGNING_KEY: pem, AUDIT_CHECKPOINT_ORIGIN: 'example.org/log', AUDIT_CHECKPOINT_INTERVAL_S: 5, OPEN_DATA: 'auth' });
});

t.test('a wrong value stops start-up with one line naming the variable, never showing a key', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const cases: [Record<string, string>, RegExp][] = [
    [{ AUDIT_SIGNING_KEY: rsa }, /^Invalid configuration: AUDIT_SIGNING_KEY is a rsa key, not an Ed25519 key \(value hidden\)$/],
    [{ AUDIT_SIGNING_KEY: 'secret-looking-value' }, /^Invalid configuration: AUDIT_SIGNING_KEY .*\(value hidden\)$/],
    [{ AUDIT_CHECKPOINT_ORIGIN: 'a+b' }, /^Invalid configuration: AUDIT_CHECKPOINT_ORIGIN /],
    [{ AUDIT_CHECKPOINT_ORIGIN: 'two words' }, /^Invalid configuration: AUDIT_CHECKPOINT_ORIGIN /],
    [{ AUDIT_CHECKPOINT_INTERVAL_S: '0' }, /^Invalid configuration: AUDIT_CHECKPOINT_INTERVAL_S /],
    [{ OPEN_DATA: 'private' }, /^Invalid configuration: OPEN_DATA /],
  ];
  for (const [env, message] of cases) {
    const error = t.throws(() => loadConfig(env), ConfigError, JSON.stringify(Object.keys(env)));
    t.match((error as Error).message, message);
    t.notMatch((error as Error).message, /secret-looking-value|BEGIN/, 'the value is not repeated');
  }
});

t.test('the transparency log\'s variables: defaults, witnesses as <vkey>@<URL>, a quorum no larger than them', async (t) => {
  t.match(loadConfig({}), { AUDIT_LOG_ORIGIN: 'eszl-decisions/log', AUDIT_LOG_WITNESSES: '', AUDIT_LOG_WITNESS_QUORUM: undefined, AUDIT_LOG_WITNESS_TIMEOUT_MS: 5_000 });
  const witness = 'w.example+' + 'x'; // not a vkey
  t.throws(() => loadConfig({ AUDIT_LOG_WITNESSES: `${witness}@https://w.example` }), /^Invalid configuration: AUDIT_LOG_WITNESSES /);
  t.throws(() => loadConfig({ AUDIT_LOG_WITNESS_QUORUM: '1' }), /^Invalid configuration: AUDIT_LOG_WITNESS_QUORUM 1 is more than the 0 witnesses/);
  t.throws(() => loadConfig({ AUDIT_LOG_ORIGIN: 'two words' }), /^Invalid configuration: AUDIT_LOG_ORIGIN /);
  t.throws(() => loadConfig({ AUDIT_LOG_WITNESS_TIMEOUT_MS: '10' }), /^Invalid configuration: AUDIT_LOG_WITNESS_TIMEOUT_MS /);
});
