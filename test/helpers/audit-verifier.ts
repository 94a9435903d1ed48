import { spawn } from 'node:child_process';
import { nodeArgs, PROJECT_DIR as ROOT } from './project-dir.js';

/**
 * Runs the offline verifier (`scripts/audit-verify.ts`) as an auditor would, in a child process:
 * its exit status, its `name: value` output lines as fields, and its raw output. Asynchronously:
 * a blocking spawnSync would stall the event loop and trip the app's load shedding.
 */
export async function runOfflineVerifier(file: string, ...extra: string[]) {
  const child = spawn(process.execPath, nodeArgs(['scripts/audit-verify.ts'], file, ...extra), { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const fields: Record<string, string> = {};
  for (const line of stdout.trim().split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
  }
  return { status, fields, stdout, stderr };
}
