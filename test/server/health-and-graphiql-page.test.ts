/** The HTTP surface besides GraphQL itself: health and the offline GraphiQL page. */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

it('answers GET /health with {"status":"ok"}', async () => {
  const res = await fetch(`${stack.origin}/health`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(await res.json()).toEqual({ status: 'ok' });
});

it('serves GraphiQL to a browser at GET /graphql, with every asset inline and the example query', async () => {
  const res = await fetch(`${stack.origin}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const html = await res.text();
  expect(html).toContain('renderYogaGraphiQL');
  expect(html).toContain('trainingJobs(status: RUNNING, page: $page, perPage: 5, sortBy: CREATE_TIME, order: DESC)');
  // Offline: no script or stylesheet is fetched from anywhere.
  expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
  expect(html).not.toMatch(/<link[^>]+href=["']https?:/);
  expect(html).not.toMatch(/unpkg\.com|jsdelivr\.net|cdnjs/);
});

it('compresses the GraphiQL page for clients that accept gzip', async () => {
  const http = await import('node:http');
  const { status, encoding, body } = await new Promise<{ status?: number; encoding?: string; body: Buffer }>((resolve, reject) => {
    http
      .get(`${stack.origin}/graphql`, { headers: { accept: 'text/html', 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
  expect(status).toBe(200);
  expect(encoding).toBe('gzip');
  expect(body.length).toBeLessThan(4_000_000);
  expect(gunzipSync(body).toString()).toContain('renderYogaGraphiQL');
});

it('answers GraphQL over GET for clients that send the CSRF header', async () => {
  const url = `${stack.origin}/graphql?query=${encodeURIComponent('{ __typename }')}`;
  const res = await fetch(url, { headers: { accept: 'application/graphql-response+json', 'x-graphql-csrf': '1' } });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
});

it('gives every response an X-Request-Id, fresh unless a safe one came in', async () => {
  const fresh = await fetch(`${stack.origin}/health`);
  expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  const unsafe = await fetch(`${stack.origin}/health`, { headers: { 'x-request-id': 'a b<script>' } });
  expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});
