/**
 * A gateway and an emulator on real sockets (port 0), wired as main.ts wires them, for
 * integration tests. Logs are captured as parsed JSON lines.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.ts';
import { createLogger } from '../../src/logger.ts';
import { createLiveRegistry, type LiveRegistry, type LiveRegistryOptions } from '../../src/live/registry.ts';
import { createGateway, type Gateway } from '../../src/server/gateway.ts';
import { createTelemetry } from '../../src/server/telemetry.ts';
import type { CompressionOptions } from '../../src/server/transports/compression.ts';
import type { OperationLimits } from '../../src/server/plugins/use-operation-limits.ts';
import type { PersistedOperations } from '../../src/server/plugins/persisted-operations.ts';
import type { TokenPolicy } from '../../src/upstream/auth.ts';
import type { BreakerOptions } from '../../src/upstream/breaker.ts';
import { withPageCache, type PageCacheOptions } from '../../src/upstream/cache.ts';
import { createUpstreamClient, dialectOf, type UpstreamClient } from '../../src/upstream/client.ts';
import type { TracingConfig } from '../../src/config.ts';
import { createOtelTracer } from '../../src/tracing/otel.ts';

export interface StackOptions {
  /** The list API the gateway calls (MODELARTS_API), default v1; the emulator serves both. */
  api?: 'v1' | 'v2';
  /** MODELARTS_V2_OFFSET, for the gateway and the emulator alike; default page. */
  v2Offset?: 'page' | 'record';
  emulator?: EmulatorOptions;
  tokens?: TokenPolicy;
  timeoutMs?: number;
  projectId?: string;
  /** Point the gateway elsewhere than the emulator (e.g. a closed port). */
  endpoint?: string;
  maxBodyBytes?: number;
  breaker?: BreakerOptions;
  maxAttempts?: number;
  maxRequestBytes?: number;
  cache?: PageCacheOptions;
  fastPath?: boolean;
  /** MAX_UPSTREAM_CALLS, default 100. */
  maxUpstreamCalls?: number;
  /** false: the fast path runs queries on graphql-js only; else graphql-jit, loaded before the stack is returned. */
  jit?: boolean;
  /** Compressed answers (default: the gateway's, br and gzip from 4096 bytes). */
  compression?: CompressionOptions;
  aksk?: { ak: string; sk: string; securityToken?: string };
  limits?: OperationLimits;
  maxTokens?: number;
  introspection?: boolean;
  graphiql?: boolean;
  corsOrigins?: string[];
  rateLimit?: { perSecond: number; burst: number };
  /** TRUST_PROXY, as config.ts expands it (default none). */
  trustProxy?: string[];
  /** LIVE_MAX_SOCKETS_PER_CALLER (default 10). */
  maxSocketsPerCaller?: number;
  persisted?: PersistedOperations;
  /** Replace the upstream client (only for provoking a bug in the gateway itself). */
  client?: UpstreamClient;
  /** Export spans (tracing/otel.ts): `url` and whatever else differs from the defaults below; default off. */
  tracing?: Partial<TracingConfig> & { url?: string };
  /** Subscriptions: poll interval, backoff, limits (default: the registry's defaults). */
  live?: Partial<Pick<LiveRegistryOptions, 'pollMs' | 'maxBackoffMs' | 'maxSubscriptions' | 'maxPerCaller' | 'random'>>;
}

export interface GraphQLResponse {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, any> | null;
    errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
  };
}

export interface Stack {
  emulator: Emulator;
  gateway: Gateway;
  live: LiveRegistry;
  origin: string;
  logs: Array<Record<string, unknown>>;
  /**
   * POSTs a query. Every error must carry the response's X-Request-Id as extensions.requestId;
   * it is checked here and removed, so tests compare the rest exactly.
   */
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

/** What a test's tracing leaves out: every span exported within 20 ms. */
const TRACING_DEFAULTS: TracingConfig = {
  url: 'http://127.0.0.1:4318/v1/traces',
  protocol: 'http/protobuf',
  headers: {},
  serviceName: 'training-jobs-gateway',
  sampler: { name: 'parentbased_always_on', ratio: 1 },
  batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMs: 20, exportTimeoutMs: 2000 },
};

export const TOKEN = 'test-token';
export const AUTH = { 'x-auth-token': TOKEN };

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulator = await createEmulator({ v2Offset: options.v2Offset, ...options.emulator }).listen(0, '127.0.0.1');
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const log = createLogger('debug', sink);
  const telemetry = createTelemetry({ log, cache: options.cache !== undefined, tracing: options.tracing !== undefined });
  const tracer = options.tracing === undefined ? undefined : createOtelTracer({ ...TRACING_DEFAULTS, ...options.tracing }, { onDrop: telemetry.spansDropped });
  const upstream =
    options.client ??
    createUpstreamClient({
      dialect: dialectOf(options.api ?? 'v1', options.v2Offset),
      endpoint: options.endpoint ?? emulator.url,
      projectId: options.projectId ?? 'test-project',
      timeoutMs: options.timeoutMs ?? 5000,
      maxBodyBytes: options.maxBodyBytes,
      maxAttempts: options.maxAttempts,
      breaker: options.breaker,
      aksk: options.aksk,
      observe: telemetry.upstreamCall,
      observeFanOut: telemetry.fanOut,
      tracer,
      ...(options.maxUpstreamCalls === undefined ? {} : { maxCallsPerOperation: options.maxUpstreamCalls }),
    });
  const client = options.cache
    ? withPageCache(upstream, options.projectId ?? 'test-project', { ...options.cache, onLookup: telemetry.cacheLookup })
    : upstream;
  const live = createLiveRegistry({
    client: upstream,
    projectId: options.projectId ?? 'test-project',
    log,
    observe: telemetry.live,
    tracer,
    ...options.live,
  });
  const gateway = createGateway({
    client,
    live,
    telemetry,
    tokens: options.tokens ?? { mode: 'passthrough' },
    log,
    maxRequestBytes: options.maxRequestBytes,
    fastPath: options.fastPath,
    jit: options.jit,
    compression: options.compression,
    limits: options.limits,
    parserLimits: options.maxTokens === undefined ? undefined : { maxTokens: options.maxTokens },
    introspection: options.introspection,
    graphiql: options.graphiql,
    corsOrigins: options.corsOrigins,
    rateLimit: options.rateLimit,
    trustProxy: options.trustProxy,
    maxSocketsPerCaller: options.maxSocketsPerCaller,
    persisted: options.persisted,
    tracer,
  });
  const { server } = gateway;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // What production loads a second after listening, loaded now: tests see one engine throughout.
  await gateway.warm();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    emulator,
    gateway,
    live,
    origin,
    logs,
    async gql(query, variables, headers = AUTH) {
      const res = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GraphQLResponse['body'];
      for (const error of body.errors ?? []) {
        const { requestId, ...extensions } = error.extensions ?? {};
        if (requestId !== res.headers.get('x-request-id')) {
          throw new Error(`error without the request id ${res.headers.get('x-request-id')}: ${JSON.stringify(error)}`);
        }
        error.extensions = extensions;
      }
      return { status: res.status, headers: res.headers, body };
    },
    async close() {
      // Ends every stream and WebSocket, then cuts whatever is still open.
      await gateway.shutdown(0);
      await tracer?.shutdown(1000);
      await client.close();
      await emulator.close();
    },
  };
}

/** The raw query strings the emulator received, in order. */
export const upstreamQueries = (emulator: Emulator) => emulator.requests.map((r) => r.query);
