/**
 * Persisted operations (PERSISTED_OPERATIONS=path): the manifest graphql-codegen's client
 * preset writes (`persisted-documents.json`, hash -> document), served by yoga's plugin. In
 * allow-list mode only operations of the manifest run, sent by id (`documentId`, or
 * `extensions.persistedQuery.sha256Hash`); in mixed mode arbitrary documents run too.
 * Nothing of yoga here: main.ts reads the manifest at start-up, before yoga is loaded.
 */
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';

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

interface OperationParams {
  query?: string | undefined;
  extensions?: Record<string, unknown> | null | undefined;
}

/**
 * The id an operation is sent by. Both ways clients send one: `documentId` (GraphQL over HTTP's
 * persisted documents) and Apollo's `extensions.persistedQuery.sha256Hash`; yoga's default reads
 * only the latter.
 */
export function persistedOperationId(params: OperationParams): string | null {
  const { documentId } = params as { documentId?: unknown };
  if (typeof documentId === 'string') return documentId;
  const hash = (params.extensions?.['persistedQuery'] as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  return typeof hash === 'string' ? hash : null;
}

/**
 * The document an operation runs, decided as yoga's plugin decides it and refused with its
 * errors, for the WebSocket front, which yoga's HTTP plugins never see. graphql-ws requires a
 * `query` string, so an empty one counts as none.
 */
export function persistedDocument(params: OperationParams, { manifest, mode }: PersistedOperations): string {
  if (params.query) {
    if (mode === 'allowlist') throw new GraphQLError('PersistedQueryOnly', { extensions: { code: 'CANNOT_SEND_PQ_ID_AND_BODY' } });
    return params.query;
  }
  const id = persistedOperationId(params);
  if (id === null) throw new GraphQLError('PersistedQueryKeyNotFound', { extensions: { code: 'PERSISTED_QUERY_ID_REQUIRED' } });
  const document = manifest.get(id);
  if (document === undefined) throw new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } });
  return document;
}
