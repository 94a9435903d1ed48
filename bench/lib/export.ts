import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Child } from './child.js';
import { sampleRss } from './child.js';
import { streamLines, type StreamResult } from './http.js';
import { timeCopy, type CopyTiming } from './pg.js';
import { log, PROJECT_DIR } from './util.js';

/**
 * The NDJSON audit export measured beside COPY of the same rows in the same run: COPY once
 * before (it also warms the cache for both) and once after; the faster COPY is the yardstick.
 * Both go to nowhere (COPY to /dev/null, the export to a sink that only counts lines), so the
 * ratio compares the two producers, not a disk. With `file`, the export is then taken a second
 * time into that file (for the offline verifier), timed as its own step.
 */
export interface ExportMeasurement {
  headSeq: number;
  copyBefore: CopyTiming;
  copyAfter: CopyTiming;
  copyRowsPerSecond: number;
  export: StreamResult & { rowsPerSecond: number; mibPerSecond: number };
  /** The second export, into `file` (absent without one). */
  toFile?: StreamResult & { rowsPerSecond: number; file: string };
  rss: { beforeKiB: number; peakKiB: number; afterKiB: number; growthKiB: number; samples: number; hwmBeforeKiB: number; hwmAfterKiB: number };
  ratioToCopy: number;
}

export async function measureExport(options: { service: Child; key: string; database: string; pool: pg.Pool; file?: string | undefined }): Promise<ExportMeasurement> {
  const { rows } = await options.pool.query<{ seq: string }>('SELECT seq FROM audit_head WHERE id = 1');
  const headSeq = Number(rows[0]!.seq);
  const query = `SELECT * FROM audit_events WHERE seq <= ${headSeq} ORDER BY seq`;
  log(`  COPY of ${headSeq.toLocaleString('en')} rows to /dev/null (first)`);
  const copyBefore = await timeCopy(options.database, query);
  log(`    ${Math.round(copyBefore.rowsPerSecond).toLocaleString('en')} rows/s in ${copyBefore.seconds.toFixed(2)} s`);

  log("  NDJSON export over HTTP to nowhere (lines counted), sampling the service's VmRSS every 100 ms");
  const stopSampling = sampleRss(options.service.pid, 100);
  const stream = await streamLines(`${options.service.url}/api/v1/exports/audit-events`, options.key);
  const memory = stopSampling();
  if (stream.status !== 200) throw new Error(`export answered ${stream.status}`);
  const exportResult = { ...stream, rowsPerSecond: stream.lines / stream.seconds, mibPerSecond: stream.bytes / 1024 / 1024 / stream.seconds };
  log(
    `    ${stream.lines.toLocaleString('en')} lines, ${(stream.bytes / 1024 / 1024).toFixed(1)} MiB in ${stream.seconds.toFixed(2)} s: ` +
      `${Math.round(exportResult.rowsPerSecond).toLocaleString('en')} rows/s; RSS ${(memory.beforeKiB / 1024).toFixed(1)} -> peak ${(memory.peakKiB / 1024).toFixed(1)} MiB`,
  );

  let toFile: ExportMeasurement['toFile'];
  if (options.file !== undefined) {
    log(`  the export again, into ${options.file} (for the offline verifier)`);
    const written = await streamLines(`${options.service.url}/api/v1/exports/audit-events`, options.key, options.file);
    if (written.status !== 200) throw new Error(`export to a file answered ${written.status}`);
    toFile = { ...written, rowsPerSecond: written.lines / written.seconds, file: options.file };
    log(`    ${written.lines.toLocaleString('en')} lines in ${written.seconds.toFixed(2)} s: ${Math.round(toFile.rowsPerSecond).toLocaleString('en')} rows/s`);
  }

  log('  COPY again (second)');
  const copyAfter = await timeCopy(options.database, query);
  log(`    ${Math.round(copyAfter.rowsPerSecond).toLocaleString('en')} rows/s in ${copyAfter.seconds.toFixed(2)} s`);
  const copyRowsPerSecond = Math.max(copyBefore.rowsPerSecond, copyAfter.rowsPerSecond);
  return {
    headSeq,
    copyBefore,
    copyAfter,
    copyRowsPerSecond,
    export: exportResult,
    ...(toFile !== undefined && { toFile }),
    rss: { ...memory, growthKiB: memory.peakKiB - memory.beforeKiB },
    ratioToCopy: exportResult.rowsPerSecond / copyRowsPerSecond,
  };
}

export interface OfflineVerification {
  exitCode: number | null;
  verdict: string;
  count: number;
  seconds: number;
  rowsPerSecond: number;
  maxRssKiB: number | null;
  rssSource: string;
}

/** scripts/audit-verify.ts on an export file, under /usr/bin/time -v for its peak RSS when available. */
export async function runOfflineVerifier(file: string): Promise<OfflineVerification> {
  const script = path.join(PROJECT_DIR, 'scripts/audit-verify.ts');
  const useTime = existsSync('/usr/bin/time');
  const command = useTime ? '/usr/bin/time' : process.execPath;
  const args = useTime ? ['-v', process.execPath, '--import', 'tsx', script, file] : ['--import', 'tsx', script, file];
  const started = process.hrtime.bigint();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      err += text;
      for (const line of text.split('\n')) if (/events read/.test(line)) log(`    verifier:${line}`);
    });
    child.on('error', reject);
    child.on('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const count = Number(/count: (\d+)/.exec(stdout)?.[1] ?? Number.NaN);
  const maxRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
  return {
    exitCode: code,
    verdict: /verdict: (\w+)/.exec(stdout)?.[1] ?? `unknown (${stdout.trim()} ${stderr.trim().slice(0, 300)})`,
    count,
    seconds,
    rowsPerSecond: count / seconds,
    maxRssKiB: maxRss === undefined ? null : Number(maxRss),
    rssSource: useTime && maxRss !== undefined ? '/usr/bin/time -v' : 'unavailable',
  };
}
