import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { PROJECT_URL } from './project-dir.js';

/**
 * Validates publiccode.yml against the JSON schema of the publiccode.yml standard that SchemaStore
 * publishes (https://json.schemastore.org/publiccode.json, Apache-2.0; vendored unchanged in
 * scripts/publiccode/schema.json, since no npm package ships a validator), then checks what the
 * standard asks beyond that schema and what must agree with the repository: version 0.4, a long
 * description and features in every language, features of at most 100 characters, the licence of
 * package.json, and the version and date of the latest release in CHANGELOG.md. Exits 1 naming
 * every problem.
 */
const root = PROJECT_URL;
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

interface PublicCode {
  publiccodeYmlVersion?: string;
  softwareVersion?: string;
  releaseDate?: string;
  legal?: { license?: string };
  description?: Record<string, { longDescription?: string; features?: string[] }>;
}

export function lintPublicCode(yamlText: string, packageLicense: string, changelog: string): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(read('scripts/publiccode/schema.json')) as object);
  // YAML 1.2 core schema: dates stay strings, as the JSON schema expects them.
  const document = parse(yamlText) as PublicCode;
  const problems = validate(document)
    ? []
    : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);

  if (document.publiccodeYmlVersion !== '0.4') problems.push(`publiccodeYmlVersion is ${String(document.publiccodeYmlVersion)}, not "0.4"`);
  for (const [language, text] of Object.entries(document.description ?? {})) {
    if (text.longDescription === undefined) problems.push(`description.${language}.longDescription is missing`);
    if (text.features === undefined || text.features.length === 0) problems.push(`description.${language}.features is missing`);
    for (const feature of text.features ?? []) {
      if (feature.length > 100) problems.push(`description.${language}.features: "${feature}" is longer than 100 characters`);
    }
  }
  if (document.legal?.license !== packageLicense) {
    problems.push(`legal.license is ${String(document.legal?.license)}, package.json says ${packageLicense}`);
  }
  const release = /^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})/m.exec(changelog);
  if (release === null) problems.push('CHANGELOG.md names no release ("## [x.y.z] - YYYY-MM-DD")');
  else {
    if (document.softwareVersion !== release[1]) problems.push(`softwareVersion is ${String(document.softwareVersion)}, the latest release in CHANGELOG.md is ${release[1]}`);
    if (document.releaseDate !== release[2]) problems.push(`releaseDate is ${String(document.releaseDate)}, CHANGELOG.md dates ${release[1]} ${release[2]}`);
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { license } = JSON.parse(read('package.json')) as { license: string };
  const problems = lintPublicCode(read('publiccode.yml'), license, read('CHANGELOG.md'));
  if (problems.length > 0) {
    process.stderr.write(`publiccode.yml:\n${problems.map((problem) => `  ${problem}\n`).join('')}`);
    process.exit(1);
  }
  process.stdout.write('publiccode.yml is valid (publiccode.yml 0.4)\n');
}
