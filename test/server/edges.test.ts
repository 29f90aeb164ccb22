/**
 * The edges of DESIGN.md "Edges", each over real sockets: the CSRF refusal carries
 * `extensions.code` BAD_REQUEST like every other error; both SSE writers (the fast path's and
 * yoga's, written by yoga or relayed by the fast path) send `Cache-Control: no-cache,
 * no-transform` and no Content-Encoding, compression on or off; gateway_live_events_total counts
 * the events a client was sent, not those dropped for a reader that does not keep up.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUTH, startStack, type Stack } from '../support/stack.ts';

const LIVE = 'subscription { trainingJobs(perPage: 2) { totalCount jobs { id } } }';

describe('the CSRF refusal', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it.each([
    ['a GET without x-graphql-csrf', () => fetch(`${stack.origin}/graphql?query=%7B__typename%7D`, { headers: { 'x-request-id': 'csrf-get', ...AUTH } }), 'csrf-get'],
    ['a form POST', () => fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'csrf-form', ...AUTH },
      body: 'query=%7B__typename%7D',
    }), 'csrf-form'],
  ])('answers %s 403 with BAD_REQUEST, logged and counted as such', async (_what, send, requestId) => {
    const res = await send();
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors).toEqual([{ message: expect.stringMatching(/CSRF/), extensions: { code: 'BAD_REQUEST', requestId } }]);
    const line = await vi.waitFor(() => {
      const found = stack.logs.find((l) => l['msg'] === 'request' && l['requestId'] === requestId);
      if (found === undefined) throw new Error('no request line');
      return found;
    });
    expect(line).toMatchObject({ status: 403, errorCode: 'BAD_REQUEST' });
  });
});
