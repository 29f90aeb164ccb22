/**
 * Where the repository is, whether the bench runs from its TypeScript sources (bench/lib/paths.ts)
 * or from the build (bench/dist/bench/lib/paths.js): walk up to the folder holding schema/schema.graphql.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'schema', 'schema.graphql')) && existsSync(join(dir, 'bench'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (schema/schema.graphql)');
    dir = up;
  }
}

export const ROOT = findRoot();
export const SDL_PATH = join(ROOT, 'schema', 'schema.graphql');
/** The built bench scripts (tsc -p bench), one folder per benchmark: peers run as plain JS, like the built gateway. */
export const BENCH_DIST = join(ROOT, 'bench', 'dist', 'bench');
