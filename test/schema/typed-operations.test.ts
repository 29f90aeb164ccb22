/**
 * Typed operations: schema/operations/*.graphql compiled by codegen.ts (client preset) into
 * typed documents that a client uses, and into the persisted-operations manifest the
 * allow-list reads. Both are committed; a test fails when they drift from what codegen makes.
 */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../codegen.ts';
import {
  DashboardDocument,
  JobChipsDocument,
  type JobChipsQuery,
  type JobChipsQueryVariables,
  JobsTableDocument,
  LiveJobsTableDocument,
  type JobsTableQuery,
  type JobsTableQueryVariables,
  type LiveJobsTableSubscription,
} from '../../schema/generated/graphql.ts';
import { loadManifest } from '../../src/server/plugins/persisted-operations.ts';
import { ws, wsClient } from '../support/live.ts';
import { startStack, type Stack } from '../support/stack.ts';

const MANIFEST = 'schema/generated/persisted-documents.json';

it('matches what npm run codegen writes (run it after changing the schema or an operation)', async () => {
  const outputs = (await generate(config, false)) as Array<{ filename: string; content: string }>;
  expect(outputs.length).toBeGreaterThan(1);
  for (const { filename, content } of outputs) {
    expect(readFileSync(filename, 'utf8').trimEnd(), filename).toBe(content.trimEnd());
  }
}, 60_000);

describe('against the gateway', () => {
  let open: Stack;
  let allowList: Stack;
  beforeAll(async () => {
    [open, allowList] = await Promise.all([
      startStack(),
      startStack({ persisted: { manifest: loadManifest(MANIFEST), mode: 'allowlist' } }),
    ]);
  });
  afterAll(() => Promise.all([open.close(), allowList.close()]));

  it('answers a typed document with data of its generated type', async () => {
    const variables: JobsTableQueryVariables = { page: 1, perPage: 3, sortBy: 'DURATION', order: 'DESC', status: 'COMPLETED' };
    const res = await open.gql(print(JobsTableDocument), variables);
    const data = res.body.data as JobsTableQuery;
    expect(data.trainingJobs?.jobs).toHaveLength(3);
    expect(data.trainingJobs?.jobs.every((job) => job.status === 'COMPLETED')).toBe(true);
  });

  it('answers the chips: the counts of every group and a page of one', async () => {
    const variables: JobChipsQueryVariables = { group: 'RUNNING' };
    const res = await open.gql(print(JobChipsDocument), variables);
    const data = res.body.data as JobChipsQuery;
    expect(data.trainingJobCounts?.byGroup.map((g) => g.group)).toEqual(['PENDING', 'RUNNING', 'REVIEW', 'SUCCEEDED', 'FAILED', 'STOPPED', 'UNKNOWN']);
    const running = data.trainingJobCounts?.byGroup.find((g) => g.group === 'RUNNING')?.count;
    expect(data.jobs?.totalCount).toBe(running);
    expect(data.jobs?.jobs.every((job) => job.statusGroup === 'RUNNING')).toBe(true);
  });

  const idOf = (document: unknown) => (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  const VARIABLES = { page: 1, perPage: 2, sortBy: 'JOB_NAME', order: 'ASC' };

  it('runs every generated query by id in allow-list mode', async () => {
    const ids = [...loadManifest(MANIFEST).keys()];
    expect(ids).toHaveLength(5);
    for (const documentId of ids.filter((id) => id !== idOf(LiveJobsTableDocument))) {
      const res = await fetch(`${allowList.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': 't' },
        body: JSON.stringify({ documentId, variables: documentId === idOf(JobChipsDocument) ? { group: 'FAILED' } : VARIABLES }),
      });
      const body = (await res.json()) as { errors?: unknown };
      expect(body.errors, documentId).toBeUndefined();
    }
    expect(ids).toContain(idOf(DashboardDocument));
  });

  it('runs the generated subscription by id in allow-list mode, over SSE and WebSocket', async () => {
    const hash = idOf(LiveJobsTableDocument)!;
    // By id, the body carries documentId instead of a document.
    const bySse = await fetch(`${allowList.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': 't' },
      body: JSON.stringify({ documentId: hash, variables: VARIABLES }),
    });
    const reader = bySse.body!.getReader();
    let text = '';
    while (!text.includes('event: next')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain('"totalCount"');

    const client = wsClient(allowList.origin, { 'x-auth-token': 't' });
    const byId = ws(client, '', VARIABLES, { persistedQuery: { version: 1, sha256Hash: hash } });
    const [first] = await byId.received(1);
    const data = first!.data as LiveJobsTableSubscription;
    expect(first!.errors).toBeUndefined();
    expect(data.trainingJobs?.jobs).toHaveLength(2);
    byId.stop();
    // A document sent as text is refused in allow-list mode, over WebSocket as over HTTP.
    const byText = ws(client, print(LiveJobsTableDocument), VARIABLES);
    await expect(byText.done).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'CANNOT_SEND_PQ_ID_AND_BODY' }) })]);
    await client.dispose();
  });
});
