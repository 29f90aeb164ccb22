/**
 * Peer: Apollo Server 5 with its standalone HTTP server and @apollo/datasource-rest, the way
 * Apollo documents wrapping a REST API (one RESTDataSource per request, built in the context
 * function, sharing the server's cache). Env: PORT, UPSTREAM_URL.
 */
import { RESTDataSource, type AugmentedRequest, type DataSourceConfig } from '@apollo/datasource-rest';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { makeResolvers, typeDefs, upstreamQuery, type PageArgs } from './resolvers.ts';
import { PROJECT, type WirePage } from './shape.ts';

const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is required');

class ModelArtsAPI extends RESTDataSource {
  override baseURL = `${upstream}/v1/${PROJECT}/`;

  private readonly token: string;

  constructor(token: string, cache: DataSourceConfig['cache']) {
    super({ cache });
    this.token = token;
  }

  protected override willSendRequest(_path: string, request: AugmentedRequest): void {
    request.headers['x-auth-token'] = this.token;
    request.headers.accept = 'application/json';
  }

  listTrainingJobs(args: PageArgs): Promise<WirePage> {
    return this.get<WirePage>('training-jobs', { params: new URLSearchParams(upstreamQuery(args)) });
  }
}

interface Context {
  dataSources: { modelArts: ModelArtsAPI };
}

const resolvers = makeResolvers<Context>((args, ctx) => ctx.dataSources.modelArts.listTrainingJobs(args));
const server = new ApolloServer<Context>({ typeDefs, resolvers });
await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT ?? 0), host: '127.0.0.1' },
  context: async ({ req }) => {
    const token = req.headers['x-auth-token'];
    return { dataSources: { modelArts: new ModelArtsAPI(typeof token === 'string' ? token : '', server.cache) } };
  },
});
process.on('SIGTERM', () => process.exit(0));
