/**
 * What a hostile page in a browser can do: nothing. CSRF prevention refuses the requests a
 * browser sends cross-site without a preflight; CORS approves preflights only for allowed
 * origins; production switches turn introspection and GraphiQL off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ corsOrigins: ['https://app.example.com'] });
});
afterAll(() => stack.close());

const QUERY = '{ trainingJobs { totalCount } }';

describe('CSRF prevention', () => {
  it.each([
    ['a GET without x-graphql-csrf', () => fetch(`${stack.origin}/graphql?query=${encodeURIComponent(QUERY)}`, { headers: { 'x-auth-token': 't' } })],
    ['a form POST', () => fetch(`${stack.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-auth-token': 't' }, body: `query=${encodeURIComponent(QUERY)}` })],
    ['a text/plain POST', () => fetch(`${stack.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-auth-token': 't' }, body: JSON.stringify({ query: QUERY }) })],
  ])('refuses %s, calling no upstream', async (_name, send) => {
    stack.emulator.clearRequests();
    const res = await send();
    expect(res.status).toBe(403);
    expect(stack.emulator.requests).toHaveLength(0);
  });

  it('lets JSON POSTs and GETs with the header through', async () => {
    expect((await stack.gql(QUERY)).body.errors).toBeUndefined();
    const res = await fetch(`${stack.origin}/graphql?query=${encodeURIComponent(QUERY)}`, { headers: { 'x-auth-token': 't', 'x-graphql-csrf': '1' } });
    expect(res.status).toBe(200);
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    fetch(`${stack.origin}/graphql`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-auth-token' },
    });

  it('approves the preflight of an allowed origin', async () => {
    const res = await preflight('https://app.example.com');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-auth-token');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives any other origin no CORS headers at all', async () => {
    const res = await preflight('https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const post = await stack.gql(QUERY, undefined, { 'x-auth-token': 't', origin: 'https://evil.example' });
    expect(post.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('labels the answers of the fast path for an allowed origin', async () => {
    const res = await stack.gql(QUERY, undefined, { 'x-auth-token': 't', origin: 'https://app.example.com' });
    expect(res.body.errors).toBeUndefined();
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('vary')).toContain('Origin');
  });
});

describe('production switches', () => {
  it('refuses introspection and serves no GraphiQL when both are off, while queries work', async () => {
    const locked = await startStack({ introspection: false, graphiql: false });
    try {
      const intro = await locked.gql('{ __schema { queryType { name } } }');
      expect(intro.body.errors?.[0]?.message).toMatch(/introspection/i);
      const page = await fetch(`${locked.origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('renderYogaGraphiQL');
      expect((await locked.gql(QUERY)).body.errors).toBeUndefined();
    } finally {
      await locked.close();
    }
  });
});
