/** Persisted operations from a graphql-codegen client-preset manifest: allow-list and mixed modes. */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_QUERY } from '../../src/server/graphiql.ts';
import { loadManifest, type PersistedMode } from '../../src/server/plugins/persisted-operations.ts';
import { startStack, type Stack } from '../support/stack.ts';

const HASH = createHash('sha256').update(EXAMPLE_QUERY).digest('hex');
const manifestFile = join(mkdtempSync(join(tmpdir(), 'persisted-')), 'persisted-documents.json');
writeFileSync(manifestFile, JSON.stringify({ [HASH]: EXAMPLE_QUERY }));

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function post(body: unknown) {
  const res = await fetch(`${stack!.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string }> } };
}

const start = (mode: PersistedMode) => startStack({ persisted: { manifest: loadManifest(manifestFile), mode } });

describe('allow-list mode', () => {
  it.each([
    ['documentId', { documentId: HASH }],
    ['extensions.persistedQuery', { extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }],
  ])('runs a manifest operation sent by %s', async (_how, body) => {
    stack = await start('allowlist');
    const res = await post(body);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.trainingJobs.jobs.length).toBeGreaterThan(0);
  });

  it('refuses an arbitrary document, even one of the manifest sent as text, and an unknown id', async () => {
    stack = await start('allowlist');
    for (const body of [{ query: '{ trainingJobs { totalCount } }' }, { query: EXAMPLE_QUERY }, { documentId: 'f'.repeat(64) }]) {
      const res = await post(body);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors?.[0]?.message).toMatch(/persisted/i);
    }
    expect(stack.emulator.requests).toHaveLength(0);
  });
});

it('runs both manifest operations and arbitrary documents in mixed mode', async () => {
  stack = await start('mixed');
  expect((await post({ documentId: HASH })).body.errors).toBeUndefined();
  expect((await post({ query: '{ trainingJobs { totalCount } }' })).body.errors).toBeUndefined();
});

it('refuses a manifest that is not hash -> document, naming the problem', () => {
  const bad = join(mkdtempSync(join(tmpdir(), 'persisted-')), 'bad.json');
  writeFileSync(bad, JSON.stringify({ abc: 42 }));
  expect(() => loadManifest(bad)).toThrow(/not a document/);
  expect(() => loadManifest(`${bad}.missing`)).toThrow(/cannot read/);
});
