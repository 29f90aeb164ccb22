/**
 * npm run build: the gateway bundled by esbuild into one ES module, dist/src/main.js, and the
 * chunks it loads when first needed (dist/src/chunks/: yoga, graphql-jit, the WebSocket server,
 * Redis, the emulator). Start-up was mostly Node resolving and reading a few hundred files of
 * graphql, undici and Pothos: bundled, the first answer comes in half the time
 * (docs/performance.md). Types are checked by `npm run typecheck`, not here.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/src', { recursive: true, force: true });
await build({
  entryPoints: ['src/main.ts'],
  outdir: 'dist/src',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
