/**
 * The layers of src/ and the folders of bench/ import one way (docs/architecture.md): no
 * circle between files, none between the folders at any depth (a folder standing for all it
 * holds, each file directly in a folder its own node), and no import from a lower layer of
 * src/ to a higher one. Type-only imports and lazy import() count: a circle through them is
 * still a circle for whoever reads the code.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { circles, collapse, folderGraphs, importGraph, specifiers, stripComments, type ImportGraph } from '../support/imports.ts';

/** src/'s layers, lowest first; a file or folder directly in src/ may import its own layer or lower. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'logger.ts', 'domain.ts', 'config.ts'],
  ['tracing'],
  ['scalars'],
  ['upstream'],
  ['live'],
  ['redis'],
  ['context.ts'],
  ['schema'],
  ['server'],
  ['main.ts'],
];
/** Apart from the layers: the emulator imports nothing of the gateway's; only main.ts loads it. */
const APART = 'emulator';

const layerOf = new Map(LAYERS.flatMap((names, layer) => names.map((name) => [name, layer] as const)));
const top = (file: string) => file.split('/')[0]!;

function graph(edges: Record<string, string[]>): ImportGraph {
  return new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));
}

function describeCircles(graphs: Map<string, ImportGraph>): string[] {
  return [...graphs].flatMap(([folder, g]) => circles(g).map((circle) => `${folder}: ${circle.join(' <-> ')}`));
}

describe('the import checker', () => {
  it('reads static, type-only, re-exported and lazy imports, not those named in comments', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "import './side-effect.ts';",
      'const d = await import(\'./d.ts\');',
      "import {\n  e,\n} from './e.ts';",
      "// import { x } from './commented.ts';",
      "/** see import('./documented.ts') */",
      "import { readFile } from 'node:fs/promises';",
      "const url = 'http://example.invalid/x'; import { f } from './f.ts';",
    ].join('\n');
    expect(specifiers(source)).toEqual(['./a.ts', '../b.ts', './c.ts', './side-effect.ts', './d.ts', './e.ts', './f.ts']);
  });

  it.each([
    ['two files', { 'a.ts': ['b.ts'], 'b.ts': ['a.ts'] }, [['a.ts', 'b.ts']]],
    ['three files', { 'a.ts': ['b.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': ['a.ts'] }, [['a.ts', 'b.ts', 'c.ts']]],
    ['a file and itself', { 'a.ts': ['a.ts'] }, [['a.ts']]],
    ['none', { 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['c.ts'], 'c.ts': [] }, []],
  ])('finds circles: %s', (_name, edges, expected) => {
    expect(circles(graph(edges))).toEqual(expected);
  });

  it('finds a circle between folders that no two files make', () => {
    // x/1 -> y/1 and y/2 -> x/2: no file circle, but x and y import each other.
    const files = graph({ 'x/1.ts': ['y/1.ts'], 'x/2.ts': [], 'y/1.ts': [], 'y/2.ts': ['x/2.ts'] });
    expect(circles(files)).toEqual([]);
    expect(describeCircles(folderGraphs(files))).toEqual(['.: x <-> y']);
    expect(circles(collapse(files, top))).toEqual([['x', 'y']]);
  });
});

describe('src/', () => {
  const files = importGraph('src');

  it('has no import circle between files', () => {
    expect(circles(files)).toEqual([]);
  });

  it('has no import circle between folders, at any depth', () => {
    expect(describeCircles(folderGraphs(files))).toEqual([]);
  });

  it('gives every file and folder directly in src/ a layer', () => {
    const unplaced = [...new Set([...files.keys()].map(top))].filter((name) => name !== APART && !layerOf.has(name));
    expect(unplaced).toEqual([]);
  });

  it('imports only downwards through the layers', () => {
    const upward: string[] = [];
    for (const [from, targets] of files) {
      for (const to of targets) {
        const [a, b] = [top(from), top(to)];
        if (a === b) continue;
        if (a === APART || b === APART) {
          if (a !== 'main.ts') upward.push(`${from} -> ${to} (the emulator stands apart)`);
          continue;
        }
        if (layerOf.get(b)! > layerOf.get(a)!) upward.push(`${from} -> ${to}`);
      }
    }
    expect(upward).toEqual([]);
  });
});

describe('the OpenTelemetry SDK', () => {
  // DESIGN.md: with tracing off, no @opentelemetry module is loaded. Types cost nothing; a value
  // import anywhere but the SDK's own files, or a static import of them, would load it.
  const sources = [...importGraph('src').keys()].map((file) => [file, stripComments(readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8'))] as const);

  it('is imported for its values only by tracing/otel.ts and tracing/batch.ts', () => {
    const loaders = sources.filter(([, text]) => /^import (?!type )[^;]*from '@opentelemetry\//m.test(text)).map(([file]) => file);
    expect(loaders.sort()).toEqual(['tracing/batch.ts', 'tracing/otel.ts']);
  });

  it('is loaded by main.ts alone, lazily', () => {
    const users = sources.filter(([file, text]) => !file.startsWith('tracing/') && /tracing\/(otel|batch)\.ts/.test(text));
    expect(users.map(([file, text]) => [file, /await import\('\.\/tracing\/otel\.ts'\)/.test(text)])).toEqual([['main.ts', true]]);
  });
});

describe('bench/', () => {
  const files = importGraph('bench');

  it('has no import circle between files or folders', () => {
    expect(circles(files)).toEqual([]);
    expect(describeCircles(folderGraphs(files))).toEqual([]);
  });

  it('keeps lib/ under the benchmarks: it imports none of them', () => {
    const up = [...files].flatMap(([from, targets]) => (from.startsWith('lib/') ? [...targets].filter((to) => !to.startsWith('lib/')).map((to) => `${from} -> ${to}`) : []));
    expect(up).toEqual([]);
  });
});
