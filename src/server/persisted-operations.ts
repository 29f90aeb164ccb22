/**
 * Persisted operations (PERSISTED_OPERATIONS=path): the manifest graphql-codegen's client
 * preset writes (`persisted-documents.json`, hash -> document), served by yoga's plugin. In
 * allow-list mode only operations of the manifest run, sent by id (`documentId`, or
 * `extensions.persistedQuery.sha256Hash`); in mixed mode arbitrary documents run too.
 */
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';

export type PersistedMode = 'allowlist' | 'mixed';

export interface PersistedOperations {
  manifest: ReadonlyMap<string, string>;
  mode: PersistedMode;
}

/** Reads and checks a manifest; throws with a message naming what is wrong (never its contents). */
export function loadManifest(path: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`PERSISTED_OPERATIONS: cannot read a JSON manifest at ${path} (${(err as Error).name})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('PERSISTED_OPERATIONS: the manifest must be an object of hash -> document');
  }
  const manifest = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    if (typeof document !== 'string') throw new Error(`PERSISTED_OPERATIONS: the entry ${hash.slice(0, 64)} is not a document`);
    manifest.set(hash, document);
  }
  return manifest;
}

export function usePersistedOperationsFrom({ manifest, mode }: PersistedOperations): Plugin {
  return usePersistedOperations({
    getPersistedOperation: (key) => manifest.get(key) ?? null,
    allowArbitraryOperations: mode === 'mixed',
    // Both ways clients send an id: `documentId` (GraphQL over HTTP's persisted documents) and
    // Apollo's `extensions.persistedQuery.sha256Hash`; yoga's default reads only the latter.
    extractPersistedOperationId: (params) => {
      const { documentId } = params as { documentId?: unknown };
      if (typeof documentId === 'string') return documentId;
      const hash = (params.extensions?.['persistedQuery'] as { sha256Hash?: unknown } | undefined)?.sha256Hash;
      return typeof hash === 'string' ? hash : null;
    },
  }) as Plugin;
}
