/**
 * `MODELARTS_API=v2 npm start`: the demo, the real process (main.ts) on its embedded emulator's v2
 * route, answers every example GraphiQL opens with (src/server/graphiql.ts), the live one over
 * SSE; and the emulator it embeds was asked over v2 only.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHIPS_EXAMPLE, EXAMPLE_QUERY, LIVE_EXAMPLE } from '../../src/server/graphiql.ts';
import { sse } from '../support/live.ts';
import { startGatewayProcess, type GatewayProcess } from '../support/process.ts';

let demo: GatewayProcess;
beforeAll(async () => {
  // No endpoint: demo mode. The demo's own token stands in for a sign-in.
  demo = await startGatewayProcess('', { MODELARTS_API: 'v2', MODELARTS_PROJECT_ID: '', LOG_LEVEL: 'info' });
}, 30_000);
afterAll(async () => {
  demo.child.kill('SIGTERM');
  await demo.exited;
});

const post = async (query: string) => {
  const res = await fetch(`${demo.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
};

it('says it serves the demo on v2', () => {
  expect(demo.logs).toContainEqual(expect.objectContaining({ mode: 'demo', api: 'v2' }));
});

it('answers the first tab, the running jobs newest first, with v2 data', async () => {
  const res = await post(EXAMPLE_QUERY);
  expect(res.errors).toBeUndefined();
  const page = res.data!['trainingJobs'];
  expect(page.totalCount).toBeGreaterThan(0);
  expect(page.quota).toEqual({ remainingJobs: null, maxRunningJobs: null });
  for (const job of page.jobs) {
    expect(job).toMatchObject({ status: 'RUNNING', statusCode: 8, versionCount: null });
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
  }
  const times = page.jobs.map((j: { createdAt: string }) => Date.parse(j.createdAt));
  expect([...times].sort((a, b) => b - a)).toEqual(times);
});

it('answers the chips tab: every group counted and the failed jobs', async () => {
  const res = await post(CHIPS_EXAMPLE);
  expect(res.errors).toBeUndefined();
  const { trainingJobCounts: counts, failed } = res.data!;
  const sum = counts.byGroup.reduce((total: number, g: { count: number }) => total + g.count, 0);
  expect(sum).toBe(counts.total);
  expect(counts.byGroup.find((g: { group: string }) => g.group === 'FAILED').count).toBe(failed.totalCount);
  for (const job of failed.jobs) expect(job.statusGroup).toBe('FAILED');
});

it('streams the live tab over SSE, starting with the query’s answer', async () => {
  const live = sse(demo.origin, LIVE_EXAMPLE, {});
  const [first] = await live.received(1);
  live.stop();
  expect(first?.errors).toBeUndefined();
  expect(first?.data?.['trainingJobs'].jobs.length).toBeGreaterThan(0);
});
