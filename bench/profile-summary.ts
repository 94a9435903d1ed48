import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { profileMarkdown, summariseProfile } from './lib/profile.js';

/**
 * Prints the self-time summary of V8 CPU profiles:
 *   npx tsx bench/profile-summary.ts <file.cpuprofile | directory> [--top N]
 * (a directory: every .cpuprofile in it). Profiles come from `npx tsx bench/run.ts --profile`
 * or from any `node --cpu-prof --cpu-prof-dir=<dir>` run.
 */
const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25;
const target = args[0];
if (target === undefined) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts <file.cpuprofile | directory> [--top N]\n');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => path.join(target, name))
  : [target];
for (const file of files) {
  process.stdout.write(`\n## ${file}\n\n${profileMarkdown(summariseProfile(file, top))}\n`);
}
