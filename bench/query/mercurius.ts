/**
 * Peer: Fastify + Mercurius with graphql-jit (jit: 1, compile on first use), the fastest known
 * Node GraphQL server, calling the upstream through one undici keep-alive pool, as the gateway
 * does. Env: PORT, UPSTREAM_URL.
 */
import Fastify from 'fastify';
import mercurius, { type IResolvers } from 'mercurius';
import { Pool } from 'undici';
import { makeResolvers, typeDefs, upstreamQuery } from './resolvers.ts';
import { PROJECT, type WirePage } from './shape.ts';

const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is required');
const pool = new Pool(upstream, { connections: 64 });

interface Context {
  token: string;
}

const resolvers = makeResolvers<Context>(async (args, ctx) => {
  const res = await pool.request({
    method: 'GET',
    path: `/v1/${PROJECT}/training-jobs?${upstreamQuery(args)}`,
    headers: { 'x-auth-token': ctx.token, accept: 'application/json' },
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`upstream answered ${res.statusCode}`);
  }
  return (await res.body.json()) as WirePage;
});

const app = Fastify({ logger: false });
await app.register(mercurius, {
  schema: typeDefs,
  resolvers: resolvers as unknown as IResolvers,
  jit: 1,
  context: (request) => {
    const token = request.headers['x-auth-token'];
    return { token: typeof token === 'string' ? token : '' };
  },
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => process.exit(0));
