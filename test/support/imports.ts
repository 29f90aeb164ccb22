/**
 * The import graph of a source tree, read from the text (TypeScript 7 has no JS API): static
 * imports and re-exports, type-only ones included, and dynamic import() calls, for specifiers
 * that start with '.'. Comments are dropped first so that a path named in prose is no edge.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** file -> the files it imports, all as paths relative to the root, with '/' separators. */
export type ImportGraph = Map<string, Set<string>>;

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

export function stripComments(source: string): string {
  // Block comments, then line comments that are not inside a string (a URL's '//' follows a quote or ':').
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

export function specifiers(source: string): string[] {
  return [...stripComments(source).matchAll(SPECIFIER)].map((m) => m[2]!);
}

function walk(dir: string, skip: ReadonlySet<string>): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...walk(path, skip));
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** The graph of the files under root; edges leaving root are kept out. */
export function importGraph(root: string, skip: readonly string[] = ['node_modules', 'dist']): ImportGraph {
  const base = resolve(root);
  const graph: ImportGraph = new Map();
  const rel = (path: string) => relative(base, path).split(sep).join('/');
  for (const file of walk(base, new Set(skip))) {
    const edges = new Set<string>();
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(base + sep)) continue;
      edges.add(rel(target));
    }
    graph.set(rel(file), edges);
  }
  return graph;
}

/** The graph with each file replaced by the node it belongs to (dropping self-edges). */
export function collapse(graph: ImportGraph, nodeOf: (file: string) => string | undefined): ImportGraph {
  const out: ImportGraph = new Map();
  for (const [from, targets] of graph) {
    const a = nodeOf(from);
    if (a === undefined) continue;
    const edges = out.get(a) ?? new Set<string>();
    out.set(a, edges);
    for (const to of targets) {
      const b = nodeOf(to);
      if (b !== undefined && b !== a) edges.add(b);
    }
  }
  return out;
}

/** Every circle (a strongly connected component of more than one node, or a node importing itself), each sorted. */
export function circles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) connect(node);
  return found;
}

/**
 * For each folder of the tree (the root included), the graph among its direct children (a file,
 * or a subfolder standing for everything under it), from the imports between files under it.
 */
export function folderGraphs(graph: ImportGraph): Map<string, ImportGraph> {
  const folders = new Set<string>(['']);
  for (const file of graph.keys()) {
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  const result = new Map<string, ImportGraph>();
  for (const folder of folders) {
    const prefix = folder === '' ? '' : `${folder}/`;
    const child = (file: string) => (file.startsWith(prefix) ? prefix + file.slice(prefix.length).split('/')[0] : undefined);
    result.set(folder === '' ? '.' : folder, collapse(graph, child));
  }
  return result;
}
