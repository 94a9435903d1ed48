import t from 'tap';
import { loadConfig, serviceBaseUrl } from '../../src/config.js';
import { baseEnv, start, within } from '../helpers/server-process.js';

/** EVENT_SOURCE is the `source` of every CloudEvent: checked at start like every variable. */
t.test('EVENT_SOURCE defaults to the foundation\'s register and takes a KvK-based URN', async (t) => {
  t.equal(loadConfig({}).EVENT_SOURCE, 'urn:nld:stichting-eszl.besluitenregister');
  t.equal(loadConfig({ EVENT_SOURCE: 'urn:nld:kvknr:14090089.besluitenregister' }).EVENT_SOURCE, 'urn:nld:kvknr:14090089.besluitenregister');
  t.throws(() => loadConfig({ EVENT_SOURCE: 'https://eszl.nl' }), { name: 'ConfigError', message: /^Invalid configuration: EVENT_SOURCE must be a URN in the nld namespace/ });
});

t.test('the absolute base of what the service sends is PUBLIC_BASE_URL, else the host name and port', async (t) => {
  t.equal(serviceBaseUrl(loadConfig({ PUBLIC_BASE_URL: 'https://api.eszl.example/' })), 'https://api.eszl.example');
  t.match(serviceBaseUrl(loadConfig({ PORT: '8080' })), /^http:\/\/[^/\s]+:8080$/);
});

t.test('the server refuses to start with an EVENT_SOURCE outside urn:nld, in one line naming it', async (t) => {
  const started = start({ ...baseEnv(), EVENT_SOURCE: 'urn:example:eszl', PORT: '0', LOG_LEVEL: 'silent' });
  const exit = await within(started.exited, 60_000);
  t.not(exit, 'timeout', 'the process ends by itself');
  t.equal(exit !== 'timeout' && exit.code, 78, 'exit code 78 (configuration)');
  const lines = started.stderr().trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], /^Invalid configuration: EVENT_SOURCE must be a URN in the nld namespace.*"urn:example:eszl"$/);
});
