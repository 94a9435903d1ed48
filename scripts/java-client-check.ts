import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';

/**
 * `npm run client:java`: a Java client generated offline from openapi/openapi-3.0.json
 * (openapi-generator-plus, an npm package, with its JAX-RS client generator), compiled with javac
 * against Debian's jars (libjaxrs-api-java, libjackson2-*, libswagger-core-java, libjaxb-api-java,
 * libgeronimo-annotation-1.3-spec-java), reads a decision of EUR 25 million that the service
 * answered. Then the same without `format: int64`: the generator makes an `int` and the read
 * fails, which is what the format is for. Exits 1 when either outcome differs.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const JARS = ['swagger-annotations', 'jaxrs-api', 'jaxb-api', 'jackson-annotations', 'jackson-databind', 'jackson-core', 'jackson-jaxrs-json-provider', 'jackson-jaxrs-base', 'geronimo-annotation-1.3-spec'];
const classpath = JARS.map((jar) => `/usr/share/java/${jar}.jar`);
const missing = classpath.filter((jar) => !existsSync(jar));
if (missing.length > 0) {
  process.stderr.write(`Missing Debian jars: ${missing.join(', ')}\nInstall: apt-get install libjaxrs-api-java libjackson2-databind-java libjackson2-jaxrs-providers-java libswagger-core-java libjaxb-api-java libgeronimo-annotation-1.3-spec-java\n`);
  process.exit(1);
}
const TOTAL = 2_500_000_000; // EUR 25 million in cents: over 2^31 - 1

/** A decision of EUR 25 million as GET /decisions/{id} answers it. */
async function decisionJson(): Promise<string> {
  const database = await openDatabase({ dataDir: 'memory://' });
  const adminKey = 'java-client-check-admin-key-0123456789';
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ADMIN_API_KEY: adminKey }), database });
  try {
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    const post = async (url: string, body: unknown) => {
      const res = await app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string }>();
    };
    const programme = await post('/api/v1/programmes', { code: 'BIG', name: 'A programme of EUR 25 million' });
    const decision = await post('/api/v1/decisions', {
      reference: 'JAVA-25M',
      title: 'EUR 25 million',
      boardMeetingDate: '2026-01-20',
      commitments: [{ programmeId: programme.id, year: 2026, amountCents: TOTAL }],
    });
    return (await app.inject({ method: 'GET', url: `/api/v1/decisions/${decision.id}`, headers })).body;
  } finally {
    await app.close();
    await database.close();
  }
}

/** Every `format: int64` taken away: what the document looked like before. */
function withoutInt64(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutInt64);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'format' && value === 'int64')).map(([key, value]) => [key, withoutInt64(value)]));
}

async function javaFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.java')).map((entry) => join(entry.parentPath, entry.name));
}

/** Generates the client of `document`, compiles it with ReadDecision.java, and reads `decisionFile`. */
async function generateAndRead(work: string, document: unknown, decisionFile: string): Promise<string> {
  const spec = join(work, 'openapi-3.0.json');
  const config = join(work, 'generator.yml');
  const out = join(work, 'src');
  await mkdir(work, { recursive: true });
  await writeFile(spec, JSON.stringify(document));
  await writeFile(config, [
    'generator: "@openapi-generator-plus/java-jaxrs-client-generator"',
    'package: nl.eszl.decisions.client',
    'useBeanValidation: false',
    'dateImplementation: java.lang.String',
    'dateTimeImplementation: java.lang.String',
  ].join('\n'));
  execFileSync(join(root, 'node_modules/.bin/openapi-generator-plus'), ['-c', config, '-o', out, '--include-tag', 'decisions', spec], { stdio: 'ignore' });
  const sources = (await javaFiles(out)).filter((file) => !file.endsWith('ApiProviders.java')); // registers java.time support, which String dates do not need
  for (const file of sources) {
    // Debian ships swagger-annotations 2.1, which says required = true where 2.2 says requiredMode.
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/requiredMode = io\.swagger\.v3\.oas\.annotations\.media\.Schema\.RequiredMode\.(NOT_)?REQUIRED/g, (_m, not) => `required = ${not ? 'false' : 'true'}`));
  }
  const classes = join(work, 'classes');
  await mkdir(classes, { recursive: true });
  execFileSync('javac', ['-nowarn', '-d', classes, '-cp', classpath.join(':'), ...sources, join(root, 'scripts/java-client/ReadDecision.java')], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.stdout.write(`generated and compiled ${sources.length} Java files\n`);
  try {
    return execFileSync('java', ['-cp', [classes, ...classpath].join(':'), 'ReadDecision', decisionFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    return `failed: ${String((error as { stderr?: string }).stderr ?? error).split('\n')[0]}`;
  }
}

const work = await mkdtemp(join(tmpdir(), 'eszl-java-client-'));
let failed = false;
try {
  const decisionFile = join(work, 'decision.json');
  await writeFile(decisionFile, await decisionJson());
  const document = JSON.parse(await readFile(join(root, 'openapi/openapi-3.0.json'), 'utf8')) as unknown;
  const read = await generateAndRead(join(work, 'int64'), document, decisionFile);
  process.stdout.write(`with format int64: ${read.trim().replaceAll('\n', ', ')}\n`);
  if (!read.includes(`totalAmountCents=${TOTAL}`) || !read.includes(`amountCents=${TOTAL}`)) failed = true;
  const without = await generateAndRead(join(work, 'no-int64'), withoutInt64(document), decisionFile);
  process.stdout.write(`without format int64: ${without.trim().replaceAll('\n', ', ')}\n`);
  if (!without.startsWith('failed:')) failed = true;
} finally {
  await rm(work, { recursive: true, force: true });
}
process.stdout.write(failed ? 'the generated Java client did not behave as expected\n' : 'the generated Java client reads EUR 25 million exactly\n');
process.exit(failed ? 1 : 0);
