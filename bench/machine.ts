/**
 * What the figures were measured on: CPU, cores, Node, and the versions of everything
 * measured.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, type as osType, release } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The machine and software of a run. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly v8: string;
  readonly versions: Readonly<Record<string, string>>;
}

const MEASURED = ['rxjs', 'lru-cache', 'lru.min', 'mnemonist', 'tiny-lru', 'quick-lru', 'node-cache', '@isaacs/ttlcache'];

function cpuModel(): string {
  // /proc/cpuinfo names the model where os.cpus() may not (some VMs).
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

function versionOf(root: string, name: string): string {
  try {
    const json = JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')) as { version?: string };
    return json.version ?? '?';
  } catch {
    return 'not installed';
  }
}

/** Describes this machine and the installed versions. */
export function describeMachine(): Machine {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const own = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
  const versions: Record<string, string> = { macho: own.version };
  for (const name of MEASURED) versions[name] = versionOf(root, name);
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osType()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    versions,
  };
}
