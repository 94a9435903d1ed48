import { readFile } from 'node:fs/promises';
import t from 'tap';
import { ConfigSchema } from '../../src/config.js';
import { projectFile } from '../helpers/project-dir.js';

/**
 * docker-compose.yml passes every variable of the service to it, and .env.example documents every
 * variable the compose file reads: a variable added to src/config.ts fails here until a
 * deployment can set it.
 */
const compose = await readFile(projectFile('docker-compose.yml'), 'utf8');
const envExample = await readFile(projectFile('.env.example'), 'utf8');

/** The keys of the api service's `environment:` block. */
function apiEnvironment(): Set<string> {
  const api = compose.slice(compose.indexOf('\n  api:\n'), compose.indexOf('\n  db:\n'));
  const block = api.slice(api.indexOf('\n    environment:\n'));
  const names = new Set<string>();
  for (const line of block.split('\n').slice(2)) {
    if (/^ {4}\S/.test(line)) break;
    const match = /^ {6}([A-Z][A-Z0-9_]*):/.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

t.test('the compose file passes every variable of the service', async (t) => {
  const passed = apiEnvironment();
  t.ok(passed.size > 20, `the api service sets ${passed.size} variables`);
  // DATA_DIR is the embedded database's; the compose file runs PostgreSQL.
  for (const name of Object.keys(ConfigSchema.properties).filter((name) => name !== 'DATA_DIR')) {
    t.ok(passed.has(name), `${name} is passed`);
  }
  for (const name of ['AUDIT_SIGNING_KEY', 'AUDIT_CHECKPOINT_ORIGIN', 'AUDIT_CHECKPOINT_INTERVAL_S', 'OPEN_DATA', 'WEBHOOK_SIGNING_KEY', 'WEBHOOK_ALLOWED_HOSTS']) {
    t.ok(passed.has(name), `${name} is passed`);
  }
});

t.test('.env.example documents every variable the compose file reads', async (t) => {
  const read = new Set([...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)[:}]/g)].map((match) => match[1]!));
  t.ok(read.size > 20);
  for (const name of read) t.match(envExample, new RegExp(`^${name}=`, 'm'), `${name} is in .env.example`);
});
