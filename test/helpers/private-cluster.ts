import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './server-process.js';

/**
 * A PostgreSQL cluster of a test's own, to stop and start at will without touching the server
 * other tests share: `initdb` and `pg_ctl` from Debian's PostgreSQL (/usr/lib/postgresql/<version>/bin),
 * its data, socket directory and log in a temporary folder, listening on 127.0.0.1 on a free
 * port, with trust authentication for `postgres`. initdb refuses to run as root, so as root the
 * cluster runs as the `postgres` user (runuser). Removed, and stopped should it still run, at
 * teardown and at exit.
 */
const exec = promisify(execFile);

export interface PrivateCluster {
  port: number;
  /** A database on the cluster, created on first use. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m <mode>`: `immediate` is a crash (no checkpoint, connections cut). */
  stop(mode: 'immediate' | 'fast'): Promise<void>;
  /** `pg_ctl start -w`: resolves once the server accepts connections (crash recovery done). */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** The bin directory of the newest PostgreSQL installed, or undefined where there is none. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

/** Why a private cluster cannot be made here, or undefined when it can. */
export function privateClusterUnavailable(): string | undefined {
  if (postgresBinDir() === undefined) return "no PostgreSQL server binaries (Debian's postgresql package) under /usr/lib/postgresql";
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root without a postgres user to run the cluster as';
  return undefined;
}

export async function createPrivateCluster(): Promise<PrivateCluster> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('no PostgreSQL binaries');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : undefined;
  const run = (command: string, args: string[]) =>
    asRoot ? exec('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]) : exec(join(bin, command), args);

  const dir = await mkdtemp(join(tmpdir(), 'eszl-pg-'));
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  await mkdir(sockets);
  if (owner !== undefined) {
    await chown(dir, owner.uid, owner.gid);
    await chown(sockets, owner.uid, owner.gid);
  }
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const options = [`-p ${port}`, `-k ${sockets}`, "-c listen_addresses='127.0.0.1'", '-c max_connections=60', '-c shared_buffers=16MB'].join(' ');
  const start = async () => {
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  };
  const stopNow = () => {
    const args = [join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'];
    spawnSync(asRoot ? 'runuser' : args[0]!, asRoot ? ['-u', 'postgres', '--', ...args] : args.slice(1), { stdio: 'ignore' });
  };
  // Should the test process end without its teardown (an exception, or tap's SIGTERM at its
  // timeout), the cluster still goes.
  const stopOnSignal = () => {
    stopNow();
    process.kill(process.pid, 'SIGTERM');
  };
  process.once('exit', stopNow);
  process.once('SIGTERM', stopOnSignal);
  await start();

  const created = new Set<string>();
  return {
    port,
    async createDatabase(name) {
      if (!created.has(name)) {
        const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${name}"`);
        } finally {
          await client.end();
        }
        created.add(name);
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop(mode) {
      await run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
    },
    start,
    async destroy() {
      process.removeListener('exit', stopNow);
      process.removeListener('SIGTERM', stopOnSignal);
      await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
