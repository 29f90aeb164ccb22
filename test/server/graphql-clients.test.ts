/**
 * Real GraphQL clients against the gateway over real sockets, on both upstreams: urql's core
 * client and Apollo Client (core) page through all results, filter by status, and read an
 * upstream error's code.
 */
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql } from '@apollo/client/core';
import { Client, cacheExchange, fetchExchange, gql as urqlGql } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultJobs } from '../../src/emulator/index.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { UPSTREAMS } from '../support/upstreams.ts';

const PAGE = `query Page($page: Int!, $status: TrainingJobStatus) {
  trainingJobs(page: $page, perPage: 40, status: $status) {
    totalCount pageInfo { hasNextPage } jobs { id name status createdAt duration }
  }
}`;
const total = defaultJobs().filter((j) => j.workspaceId === '0').length;
/** RUNNING on v1 is code 8; on v2 the phase Running, which the emulator gives codes 8, 15 and 19. */
const RUNNING_CODES = { v1: [8], v2: [8, 15, 19] };

describe.each(UPSTREAMS)('on %s', (api) => {
  const running = defaultJobs().filter((j) => j.workspaceId === '0' && RUNNING_CODES[api].includes(j.status)).length;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ api });
  });
  afterAll(() => stack.close());

  interface Page {
    trainingJobs: { totalCount: number; pageInfo: { hasNextPage: boolean }; jobs: Array<{ id: string; status: string }> };
  }

  /** Every page, following hasNextPage, through a client's query function. */
  async function pageThrough(query: (page: number, status?: string) => Promise<Page>, status?: string) {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const data = await query(page, status);
      ids.push(...data.trainingJobs.jobs.map((j) => j.id));
      if (!data.trainingJobs.pageInfo.hasNextPage) return ids;
    }
  }

  describe('urql', () => {
    const client = () =>
      new Client({
        url: `${stack.origin}/graphql`,
        exchanges: [cacheExchange, fetchExchange],
        // urql sends short queries as GET, a request a browser could forge cross-site: CSRF
        // prevention wants the x-graphql-csrf header on it (docs/security.md).
        fetchOptions: { headers: { 'x-auth-token': 'urql', 'x-graphql-csrf': '1' } },
      });
    const query = async (page: number, status?: string) => {
      const result = await client().query<Page>(urqlGql(PAGE), { page, status }).toPromise();
      if (result.error) throw result.error;
      return result.data!;
    };

    it('pages through every job, and filters by status', async () => {
      const all = await pageThrough(query);
      expect(new Set(all).size).toBe(total);
      expect(await pageThrough(query, 'RUNNING')).toHaveLength(running);
    });

    it('sees an upstream failure as a GraphQL error with a readable code', async () => {
      stack.emulator.setFault({ status: 403, error: { shape: 'modelarts', code: 'ModelArts.0108' }, times: 1 });
      const result = await client().query<Page>(urqlGql(PAGE), { page: 1 }).toPromise();
      expect(result.error?.graphQLErrors[0]?.extensions['code']).toBe('FORBIDDEN');
      expect(result.data?.trainingJobs).toBeNull();
    });
  });

  describe('Apollo Client', () => {
    const client = () =>
      new ApolloClient({
        link: new HttpLink({ uri: `${stack.origin}/graphql`, headers: { 'x-auth-token': 'apollo' } }),
        cache: new InMemoryCache(),
      });
    const query = async (page: number, status?: string) => {
      const { data } = await client().query<Page>({ query: gql(PAGE), variables: { page, status }, fetchPolicy: 'no-cache' });
      return data!;
    };

    it('pages through every job, and filters by status', async () => {
      expect(new Set(await pageThrough(query)).size).toBe(total);
      expect(await pageThrough(query, 'RUNNING')).toHaveLength(running);
    });

    it('sees an upstream failure as a GraphQL error with a readable code', async () => {
      stack.emulator.setFault({ status: 503, error: { shape: 'apigw', code: 'APIGW.0202' } });
      try {
        const { error } = await client().query<Page>({ query: gql(PAGE), variables: { page: 1 }, errorPolicy: 'all', fetchPolicy: 'no-cache' });
        expect(CombinedGraphQLErrors.is(error)).toBe(true);
        expect(CombinedGraphQLErrors.is(error) && error.errors[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
      } finally {
        stack.emulator.setFault(null);
      }
    });
  });
});
