/**
 * A collector that answers 503, hangs, or is not there at all changes no answer and holds up no
 * request: the spans it does not take are dropped and counted in
 * gateway_trace_spans_dropped_total. (What it costs in time is the benchmark's to say.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/process.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp.ts';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const QUERIES = [
  '{ trainingJobs(perPage: 3) { totalCount jobs { id name status createdAt duration } } }',
  '{ trainingJobs(statusGroup: FAILED, perPage: 2) { totalCount jobs { id status } } }',
  '{ trainingJobCounts { total } }',
  '{ trainingJobs(perPage: 0) { totalCount } }',
];

let receiver: OtlpReceiver;
let untraced: Stack;
let expected: unknown[];
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  untraced = await startStack();
  expected = await Promise.all(QUERIES.map(async (q) => (await untraced.gql(q)).body));
});
afterAll(async () => {
  await Promise.all([untraced.close(), receiver.close()]);
});

const dropped = async (stack: Stack) => {
  const text = await (await fetch(`${stack.origin}/metrics`)).text();
  return Number(/^gateway_trace_spans_dropped_total (\d+)/m.exec(text)?.[1]);
};

describe.each(['unavailable', 'hang', 'absent'] as const)('a collector that is %s', (mode) => {
  let stack: Stack;
  beforeAll(async () => {
    const url = mode === 'absent' ? `http://127.0.0.1:${await freePort()}/v1/traces` : `${receiver.url}/v1/traces`;
    receiver.mode = mode === 'absent' ? 'ok' : mode;
    // A small queue, so that losses show at once; a long export timeout, so that a request
    // waiting on an export would show too.
    stack = await startStack({ tracing: { url, batch: { maxQueueSize: 20, maxExportBatchSize: 10, scheduledDelayMs: 10, exportTimeoutMs: 10_000 } } });
  });
  afterAll(async () => {
    await stack.close();
    receiver.mode = 'ok';
  });

  it('changes no answer, holds up no request, and counts the spans it lost', async () => {
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(
        QUERIES.map(async (q) => {
          const started = Date.now();
          const res = await stack.gql(q, undefined, AUTH);
          // Far below the export timeout a waiting request would take.
          expect(Date.now() - started).toBeLessThan(5000);
          return res.body;
        }),
      );
      expect(answers).toEqual(expected);
    }
    await expect.poll(() => dropped(stack), { timeout: 5000 }).toBeGreaterThan(0);
  });
});
