import { readFileSync } from 'node:fs';
import { table } from './report.js';

/**
 * Summary of a V8 .cpuprofile (node --cpu-prof): self time per function and per origin
 * (project file, npm package, node internals, garbage collector, idle).
 */
interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: { name: string; where: string; selfMs: number; percentOfBusy: number }[];
  origins: { origin: string; selfMs: number; percentOfBusy: number }[];
}

function originOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const project = /\/(src|dist|bench\/\.build\/dist)\/(.+)$/.exec(url);
  if (project) return `project: ${project[2]!.replace(/\.(js|ts)$/, '')}`;
  return url.replace(/^file:\/\//, '');
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/bench\/\.build\/dist\//, 'dist/').replace(/^.*\/(src|scripts)\//, '$1/');
}

export function summariseProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    for (let i = 0; i < profile.samples.length; i++) {
      const id = profile.samples[i]!;
      selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
    }
  } else {
    const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0));
    for (const node of profile.nodes) selfMicros.set(node.id, (node.hitCount ?? 0) * interval);
  }
  const functions = new Map<string, { name: string; where: string; micros: number }>();
  const origins = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node) continue;
    total += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') {
      if (functionName === '(idle)') idle += micros;
    }
    if (functionName === '(idle)') continue;
    const name = functionName || '(anonymous)';
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, micros: 0 };
    entry.micros += micros;
    functions.set(key, entry);
    const origin = originOf(url, name);
    origins.set(origin, (origins.get(origin) ?? 0) + micros);
  }
  const busy = Math.max(1, total - idle);
  return {
    totalMs: total / 1000,
    idleMs: idle / 1000,
    functions: [...functions.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.micros / 1000, percentOfBusy: (f.micros / busy) * 100 })),
    origins: [...origins.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([origin, micros]) => ({ origin, selfMs: micros / 1000, percentOfBusy: (micros / busy) * 100 })),
  };
}

export function profileMarkdown(summary: ProfileSummary): string {
  const busyMs = summary.totalMs - summary.idleMs;
  return [
    `profile: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.idleMs.toFixed(0)} ms idle, ${busyMs.toFixed(0)} ms busy`,
    '',
    'self time by origin:',
    table(
      ['origin', 'self ms', '% of busy'],
      summary.origins.map((o) => [o.origin, o.selfMs.toFixed(0), o.percentOfBusy.toFixed(1)]),
    ),
    '',
    'top functions by self time:',
    table(
      ['function', 'where', 'self ms', '% of busy'],
      summary.functions.map((f) => [f.name, f.where, f.selfMs.toFixed(0), f.percentOfBusy.toFixed(1)]),
    ),
  ].join('\n');
}
