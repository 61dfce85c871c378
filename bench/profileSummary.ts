/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with the most
 * self time, and self time per source file, as Markdown.
 *
 *     npx tsx bench/profileSummary.ts PROFILE.cpuprofile [--top=25] [--all]
 *
 * Self time is counted from the profile's samples (each sample charges the time until
 * the next one to the node that was on top of the stack). When the profile holds the
 * harness's generated loops (`bench-loop/…`, see `workloads.ts`), only samples taken
 * inside one, and the garbage collector's, are counted: building the inputs and
 * loading modules are not the cache's hot path. `--all` counts every sample.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const root = fileURLToPath(new URL('../', import.meta.url));

function place(frame: CallFrame): string {
  if (frame.url === '') return '(native)';
  const path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const shown = path.startsWith(root) ? relative(root, path) : path;
  return shown.replace(/^node_modules\//, '');
}

function label(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  // Code transpiled on load (tsx) reports line 0 for everything: leave the line out then.
  return frame.lineNumber > 0 ? `${name} ${place(frame)}:${frame.lineNumber + 1}` : `${name} ${place(frame)}`;
}

const LOOP_PREFIX = 'bench-loop/';

/** Self time (µs) per function label and per file, from a profile. */
export function selfTimes(
  profile: CpuProfile,
  all: boolean,
): { byFunction: Map<string, number>; byFile: Map<string, number>; total: number; scope: string } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inLoop = new Map<number, boolean>();
  const underLoop = (id: number): boolean => {
    const known = inLoop.get(id);
    if (known !== undefined) return known;
    const node = nodes.get(id);
    const up = parent.get(id);
    const result =
      node !== undefined &&
      (node.callFrame.url.startsWith(LOOP_PREFIX) ||
        node.callFrame.functionName === '(garbage collector)' ||
        (up !== undefined && underLoop(up)));
    inLoop.set(id, result);
    return result;
  };
  const scoped = !all && profile.nodes.some((n) => n.callFrame.url.startsWith(LOOP_PREFIX));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; charge the gap after it to it.
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = nodes.get(profile.samples[i]!);
    if (node === undefined) continue;
    if (scoped && !underLoop(node.id)) continue;
    total += dt;
    const fn = label(node.callFrame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
    const file = place(node.callFrame);
    byFile.set(file, (byFile.get(file) ?? 0) + dt);
  }
  return {
    byFunction,
    byFile,
    total,
    scope: scoped ? 'samples inside the timed loops, and GC' : 'every sample',
  };
}

function top(map: Map<string, number>, total: number, n: number, what: string): string {
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  return [
    `| ${what} | self ms | self % |`,
    '| :--- | ---: | ---: |',
    ...rows.map(([name, us]) => `| ${name.replace(/\|/g, '\\|')} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% |`),
  ].join('\n');
}

const file = process.argv[2];
if (file === undefined || file.startsWith('--')) {
  console.error('usage: npx tsx bench/profileSummary.ts PROFILE.cpuprofile [--top=25] [--all]');
  process.exit(2);
}
const n = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const { byFunction, byFile, total, scope } = selfTimes(profile, process.argv.includes('--all'));
console.log(`Profile ${file}: ${(total / 1000).toFixed(0)} ms (${scope}).\n`);
console.log(top(byFunction, total, n, 'function (self time)'));
console.log('');
console.log(top(byFile, total, 15, 'file (self time)'));
