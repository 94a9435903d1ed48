import t from 'tap';
import { ConfigError, loadConfig, proxyTrust, publicBaseUrl, ratificationReminderDays } from '../../src/config.js';

/** The environment is validated at boot; a wrong value stops start-up with one line naming it. */
t.test('PUBLIC_BASE_URL is an absolute http(s) URL, kept without a trailing slash', async (t) => {
  t.equal(publicBaseUrl(loadConfig({})), undefined, 'unset by default');
  t.equal(publicBaseUrl(loadConfig({ PUBLIC_BASE_URL: 'https://api.eszl.example/' })), 'https://api.eszl.example');
  t.equal(publicBaseUrl(loadConfig({ PUBLIC_BASE_URL: 'https://eszl.example/decisions' })), 'https://eszl.example/decisions');
  for (const wrong of ['api.eszl.example', 'ftp://api.eszl.example', 'https://user:secret@api.eszl.example', 'https://api.eszl.example/?x=1', 'https://api eszl']) {
    t.throws(() => loadConfig({ PUBLIC_BASE_URL: wrong }), { name: 'ConfigError', message: /^Invalid configuration: PUBLIC_BASE_URL / }, wrong);
  }
});

t.test('TRUST_PROXY believes nobody by default, everybody with true, or the proxies it names', async (t) => {
  t.equal(proxyTrust(loadConfig({}))('127.0.0.1', 0), false, 'default: false');
  t.equal(proxyTrust(loadConfig({ TRUST_PROXY: 'true' }))('203.0.113.9', 0), true);
  const named = proxyTrust(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }));
  t.equal(named('10.1.2.3', 0), true);
  t.equal(named('127.0.0.1', 0), true);
  t.equal(named('203.0.113.9', 0), false);
  t.equal(proxyTrust(loadConfig({ TRUST_PROXY: 'loopback' }))('::1', 0), true, 'proxy-addr names such as loopback');
  for (const wrong of ['yes please', '300.1.1.1', '10.0.0.0/99', 'example.org']) {
    const error = t.throws(() => loadConfig({ TRUST_PROXY: wrong }), wrong) as unknown;
    t.ok(error instanceof ConfigError, `${wrong}: a ConfigError`);
    t.match((error as Error).message, /^Invalid configuration: TRUST_PROXY /, `${wrong}: names the variable`);
  }
});

t.test('RATIFICATION_REMINDER_DAYS: 14,3 by default, days before the due date, refused in one line naming it', async (t) => {
  t.same(ratificationReminderDays(loadConfig({})), [14, 3]);
  t.same(ratificationReminderDays(loadConfig({ RATIFICATION_REMINDER_DAYS: '1, 7,30' })), [30, 7, 1]);
  for (const wrong of ['fortnight', '14,,3', '3,3', '400']) {
    t.throws(() => loadConfig({ RATIFICATION_REMINDER_DAYS: wrong }), { name: 'ConfigError', message: /^Invalid configuration: RATIFICATION_REMINDER_DAYS [^\n]+e\.g\. 14,3\)$/ }, wrong);
  }
});
