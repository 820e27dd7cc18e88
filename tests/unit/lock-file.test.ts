import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/infra/local-services.js';

/**
 * `npm ci` (README, CI, Dockerfile) installs only what the lock file lists. Some npm versions write
 * a lock with just this machine's optional packages (rollup's, esbuild's per-platform binaries);
 * `npm ci` on another platform then finds the lock out of step and stops. Every optional package
 * a locked package names must have its own entry.
 */
interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };
const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;

/** Where npm would look for `name` from the package at `path`: its own node_modules, then each parent's. */
function resolves(path: string, name: string): boolean {
  let at = path;
  for (;;) {
    if (lock.packages[`${at ? `${at}/` : ''}node_modules/${name}`]) return true;
    if (!at) return false;
    const parent = at.lastIndexOf('/node_modules/');
    at = parent < 0 ? '' : at.slice(0, parent);
  }
}

describe('package-lock.json', () => {
  it('lists every direct dependency of package.json', () => {
    const direct = ['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));
    expect(direct.filter((name) => !lock.packages[`node_modules/${name}`])).toEqual([]);
    expect(lock.packages['']?.dependencies).toEqual(manifest.dependencies);
  });

  it("holds every platform's optional packages, so that `npm ci` works on any machine", () => {
    const missing = Object.entries(lock.packages).flatMap(([path, entry]) =>
      Object.keys(entry.optionalDependencies ?? {})
        .filter((name) => !resolves(path, name))
        .map((name) => `${path || '(root)'} → ${name}`),
    );
    expect(missing).toEqual([]);
    // The check has something to check: the platform packages are there.
    expect(Object.keys(lock.packages).filter((path) => path.includes('@rollup/rollup-')).length).toBeGreaterThan(10);
  });
});
