import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { lintPublicCode } from '../../scripts/lint-publiccode.js';
import { PROJECT_DIR } from '../helpers/server-process.js';

/** publiccode.yml against its schema and the repository, as `npm run lint:publiccode` checks it in CI. */
const read = (file: string) => readFile(join(PROJECT_DIR, file), 'utf8');

t.test('publiccode.yml is valid publiccode.yml 0.4 and agrees with package.json and the changelog', async (t) => {
  const { license } = JSON.parse(await read('package.json')) as { license: string };
  t.same(lintPublicCode(await read('publiccode.yml'), license, await read('CHANGELOG.md')), []);
});

t.test('the linter refuses what the schema or the repository contradicts, naming each problem', async (t) => {
  const yaml = await read('publiccode.yml');
  const changelog = await read('CHANGELOG.md');
  const broken = yaml
    .replace('developmentStatus: stable', 'developmentStatus: finished')
    .replace('publiccodeYmlVersion: "0.4"', 'publiccodeYmlVersion: "0.2"')
    .replace(/softwareVersion: "[^"]+"/, 'softwareVersion: "0.0.1"');
  t.not(broken, yaml, 'the broken copy differs');
  const problems = lintPublicCode(broken, 'MIT', changelog);
  t.match(problems, [
    /developmentStatus must be equal to one of the allowed values/,
    /publiccodeYmlVersion is 0.2/,
    /legal.license is EUPL-1.2, package.json says MIT/,
    /softwareVersion is 0.0.1, the latest release in CHANGELOG.md is/,
  ]);
  t.equal(problems.length, 4, problems.join('\n'));
});
