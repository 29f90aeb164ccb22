/**
 * GraphQL over HTTP compliance: graphql-http's audit suite against the live gateway (fast path
 * and yoga behind it). Every MUST audit passes; the counts are printed.
 */
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

it('passes every MUST audit of graphql-http', async () => {
  const results = await auditServer({ url: `${stack.origin}/graphql` });
  const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
  for (const result of results) counts[result.status]++;
  console.log(`graphql-http audit: ${results.length} audits, ok ${counts.ok}, notice ${counts.notice}, warn ${counts.warn}, error ${counts.error}`);
  for (const r of results) if (r.status !== 'ok') console.log(`  ${r.status}: ${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
  const failedMusts = results.filter((r) => r.name.startsWith('MUST') && r.status !== 'ok');
  expect(failedMusts.map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`)).toEqual([]);
});
