import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { assertCallbackAllowed, isBlockedAddress } from '../../src/notifications/callback-url.js';

/**
 * The SSRF guard for callback URLs. No network is needed: only IP literals and `localhost`
 * (resolved from the hosts file) are used.
 */

t.test('isBlockedAddress blocks loopback, private, link-local, CGNAT and unspecified addresses', async (t) => {
  const blocked = [
    '127.0.0.1',
    '127.255.255.254',
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456:789a::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:7f00:1',
  ];
  for (const address of blocked) t.equal(isBlockedAddress(address), true, `${address} is blocked`);

  const allowed = ['93.184.216.34', '2606:4700::1', '8.8.8.8', '172.32.0.1', '172.15.255.255', '100.128.0.1', '192.169.0.1', '::ffff:93.184.216.34'];
  for (const address of allowed) t.equal(isBlockedAddress(address), false, `${address} is allowed`);

  for (const notAnAddress of ['', 'localhost', 'example.com', '999.1.1.1']) {
    t.equal(isBlockedAddress(notAnAddress), true, `"${notAnAddress}" is not an IP address, so it is blocked`);
  }
});

async function outcome(url: string, allowedHosts: readonly string[] = []): Promise<string> {
  try {
    await assertCallbackAllowed(url, allowedHosts);
    return 'allowed';
  } catch (error) {
    if (error instanceof DomainError) return `${error.code} ${error.status} ${error.errors?.[0]?.path ?? ''}`.trim();
    return `threw ${(error as Error).message}`;
  }
}

const REFUSED = 'VALIDATION_FAILED 400 /callbackUrl';

t.test('assertCallbackAllowed refuses URLs into the own network, other schemes and credentials', async (t) => {
  const refused: [string, string][] = [
    ['loopback', 'http://127.0.0.1/'],
    ['loopback with a port and path', 'http://127.0.0.1:8080/hook?x=1'],
    ['localhost (resolves to loopback)', 'http://localhost/'],
    ['localhost over https', 'https://localhost:8443/hook'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/'],
    ['a private address', 'http://10.1.2.3/hook'],
    ['a private 172.16/12 address', 'https://172.20.0.5/hook'],
    ['a private 192.168/16 address', 'http://192.168.0.10/'],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a CGNAT address', 'http://100.64.1.1/'],
    ['the unspecified address', 'http://0.0.0.0/'],
    ['loopback written as one number', 'http://2130706433/'],
    ['loopback written in hex', 'http://0x7f000001/'],
    ['loopback in short form', 'http://127.1/'],
    ['a link-local IPv6 address', 'http://[fe80::1]/'],
    ['a unique-local IPv6 address', 'http://[fc00::1]/'],
  ];
  for (const [name, url] of refused) t.equal(await outcome(url), REFUSED, `${name}: ${url} is refused`);

  t.equal(await outcome('ftp://93.184.216.34/hook'), REFUSED, 'ftp:// is refused');
  t.equal(await outcome('file:///etc/passwd'), REFUSED, 'file:// is refused');
  t.equal(await outcome('javascript:alert(1)'), REFUSED, 'javascript: is refused');
  t.equal(await outcome('gopher://93.184.216.34/'), REFUSED, 'gopher:// is refused');
  t.equal(await outcome('not a url'), REFUSED, 'a string that is not a URL is refused');
  t.equal(await outcome('https://user:pass@93.184.216.34/hook'), REFUSED, 'a URL with credentials is refused');
  t.equal(await outcome('https://user@93.184.216.34/hook'), REFUSED, 'a URL with only a user name is refused');
  t.equal(await outcome('https://user:pass@127.0.0.1/hook', ['127.0.0.1']), REFUSED, 'credentials are refused even for an allowed host');

  const error = await assertCallbackAllowed('http://127.0.0.1/', []).catch((e: unknown) => e);
  t.type(error, DomainError);
  t.match((error as DomainError).message, /loopback, link-local or private/, 'the message says why');
});

t.test('assertCallbackAllowed allows public addresses and allow-listed hosts', async (t) => {
  t.equal(await outcome('https://93.184.216.34/hook'), 'allowed', 'a public IPv4 literal is allowed');
  t.equal(await outcome('http://93.184.216.34:8080/hook'), 'allowed', 'over http and on another port too');
  t.equal(await outcome('https://[2606:4700::1]/hook'), 'allowed', 'a public IPv6 literal is allowed');

  t.equal(await outcome('http://127.0.0.1:4000/hook', ['127.0.0.1']), 'allowed', '127.0.0.1 is allowed when the allow-list names it');
  t.equal(await outcome('http://127.0.0.1:4000/hook', ['10.0.0.1', '127.0.0.1']), 'allowed', 'also among other hosts');
  t.equal(await outcome('http://[::1]:4000/hook', ['::1']), 'allowed', '::1 is allowed when listed (brackets stripped)');
  t.equal(await outcome('http://localhost:4000/hook', ['localhost']), 'allowed', 'localhost is allowed when listed');
  t.equal(await outcome('http://LOCALHOST:4000/hook', ['localhost']), 'allowed', 'host names compare case-insensitively');

  t.equal(await outcome('http://127.0.0.2/hook', ['127.0.0.1']), REFUSED, 'the allow-list names hosts exactly: 127.0.0.2 is still refused');
  t.equal(await outcome('http://localhost/hook', ['127.0.0.1']), REFUSED, 'localhost is not 127.0.0.1 for the allow-list');
  t.equal(await outcome('http://10.0.0.1/hook', ['127.0.0.1']), REFUSED, 'a private address not listed is refused');
  t.equal(await outcome('ftp://127.0.0.1/hook', ['127.0.0.1']), REFUSED, 'the scheme is checked before the allow-list');
});
