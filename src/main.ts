/**
 * Entry point: configuration from the environment, the embedded emulator in demo mode, the
 * gateway, and signal handling. Everything else is built by factories and binds nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, usage } from './config.ts';
import { createLogger, errorForLog } from './logger.ts';
import { createLiveRegistry } from './live/registry.ts';
import { createGateway } from './server/gateway.ts';
import { createTelemetry } from './server/telemetry.ts';
import { loadManifest, type PersistedOperations } from './server/plugins/persisted-operations.ts';
import { withPageCache } from './upstream/cache.ts';
import { createUpstreamClient, dialectOf } from './upstream/client.ts';

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(usage());
    return;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  const telemetry = createTelemetry({ log, cache: config.cacheTtlMs > 0, redis: config.redis !== undefined, tracing: config.tracing !== undefined });
  // The SDK is loaded only when spans go somewhere (DESIGN.md "OpenTelemetry traces").
  const tracer =
    config.tracing === undefined
      ? undefined
      : (await import('./tracing/otel.ts')).createOtelTracer(config.tracing, { onDrop: telemetry.spansDropped, onExport: exportWatcher(log) });
  if (config.tracing !== undefined) {
    // Never the URL: it may name an internal host or carry a key.
    log.info({ protocol: config.tracing.protocol, sampler: config.tracing.sampler.name, serviceName: config.tracing.serviceName }, 'tracing: exporting spans over OTLP/HTTP');
  }
  let persisted: PersistedOperations | undefined;
  if (config.persistedOperations !== undefined) {
    try {
      persisted = { manifest: loadManifest(config.persistedOperations), mode: config.persistedMode };
    } catch (err) {
      process.stderr.write(`invalid configuration:\n  - ${(err as Error).message}\n`);
      process.exit(2);
    }
  }

  let endpoint = config.endpoint;
  let stopEmulator = async () => {};
  if (endpoint === undefined) {
    const { createEmulator } = await import('./emulator/index.ts');
    // No request log: it is for tests, and would grow for as long as the demo runs.
    const emulator = await createEmulator({ logRequests: false, motion: {}, v2Offset: config.v2Offset }).listen(0, '127.0.0.1');
    endpoint = emulator.url;
    stopEmulator = () => emulator.close();
    log.info({ mode: 'demo', api: config.api, projectId: config.projectId }, 'demo mode: MODELARTS_ENDPOINT is not set, serving the embedded ModelArts emulator on a loopback port');
  } else {
    log.info({ mode: 'upstream', api: config.api, projectId: config.projectId, auth: config.auth }, 'serving the configured ModelArts endpoint');
  }

  // Replicas share the cache, rate limits and pollers through Redis; it never holds up start-up.
  const fleet =
    config.redis === undefined
      ? undefined
      : (await import('./redis/fleet.ts')).joinFleet(config.redis, { log, observe: telemetry.redis, rateLimit: config.rateLimit, pollMs: config.live.pollMs });

  const upstream = createUpstreamClient({
    dialect: dialectOf(config.api, config.v2Offset),
    endpoint,
    projectId: config.projectId,
    timeoutMs: config.upstreamTimeoutMs,
    maxAttempts: config.upstreamMaxAttempts,
    maxCallsPerOperation: config.maxUpstreamCalls,
    maxBodyBytes: config.upstreamMaxBodyBytes,
    aksk:
      config.auth === 'aksk' && config.ak && config.sk
        ? { ak: config.ak, sk: config.sk, securityToken: config.securityToken }
        : undefined,
    breaker: { threshold: config.breakerThreshold, coolOffMs: config.breakerCoolOffMs },
    observe: telemetry.upstreamCall,
    observeFanOut: telemetry.fanOut,
    tracer,
  });
  const client =
    config.cacheTtlMs > 0
      ? withPageCache(upstream, config.projectId, {
          ttlMs: config.cacheTtlMs,
          maxEntries: config.cacheMaxEntries,
          shared: fleet?.pages,
          onLookup: telemetry.cacheLookup,
        })
      : upstream;
  // Pollers call the upstream itself, not the page cache: a cached page would hide changes.
  const live = createLiveRegistry({
    client: upstream, projectId: config.projectId, log, ...config.live, observe: telemetry.live, election: fleet?.election, bus: fleet?.bus, tracer,
  });
  const gateway = createGateway({
    client,
    live,
    log,
    telemetry,
    maxRequestBytes: config.maxRequestBytes,
    compression: config.compression,
    limits: config.limits,
    parserLimits: { maxTokens: config.maxTokens },
    introspection: config.introspection,
    graphiql: config.graphiql,
    corsOrigins: config.corsOrigins,
    rateLimit: config.rateLimit,
    limiter: fleet?.limiter,
    trustProxy: config.trustProxy,
    maxSocketsPerCaller: config.live.maxSocketsPerCaller,
    persisted,
    tracer,
    tokens: { mode: config.auth, token: config.token, demoToken: config.endpoint === undefined ? 'demo-token' : undefined },
  });
  const { server } = gateway;

  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    log.info({ port }, `listening: GraphiQL at http://localhost:${port}/graphql`);
  });
  server.on('error', (err) => {
    log.fatal({ error: errorForLog(err) }, 'cannot listen');
    process.exit(1);
  });

  // Drain (readiness 503, connections closed after their response), keep serving for the delay
  // a load balancer needs to notice, stop accepting, give requests in flight the grace period,
  // then close the upstream pool. A second signal means now.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: stopping at once');
      process.exit(1);
    }
    stopping = true;
    const { shutdownDelayMs: delayMs, shutdownGraceMs: graceMs } = config;
    log.info({ signal, delayMs, graceMs }, 'shutting down: draining');
    gateway.drain();
    if (delayMs > 0) await sleep(delayMs);
    const graceEnds = Date.now() + graceMs;
    const cut = await gateway.shutdown(graceMs);
    if (cut > 0) log.warn({ cut }, 'grace period over: cut the requests still in flight');
    // The spans of the last requests go out in what is left of the grace period (a second at least).
    await tracer?.shutdown(Math.max(1000, graceEnds - Date.now()));
    // Calls the cut requests left behind are aborted; a shared cache call may not be.
    await Promise.race([Promise.all([client.close(), stopEmulator(), fleet?.close()]), sleep(1000)]);
    log.info({ cut }, 'stopped');
    process.exit(0);
  };
  // A stray rejection is a bug to log, not a reason to drop every in-flight request.
  process.on('unhandledRejection', (reason) => {
    log.error({ error: errorForLog(reason) }, 'unhandled rejection');
  });
  // State after an uncaught exception is unknown: log it (without its stack) and exit for a restart.
  process.on('uncaughtException', (err) => {
    log.fatal({ error: errorForLog(err) }, 'uncaught exception');
    process.exit(1);
  });
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Logs when the collector stops taking spans and when it takes them again, once each way: a
 * down collector costs the requests nothing, and the log must not fill with it either. The
 * reason is a status or an error code, never the message (it may name the collector's host).
 */
function exportWatcher(log: ReturnType<typeof createLogger>) {
  let failing = false;
  return ({ code, error }: { code: number; error?: Error }) => {
    const ok = code === 0;
    if (ok === !failing) return;
    failing = !ok;
    if (ok) return log.info('tracing: the collector takes spans again');
    const reason = (error as { code?: unknown } | undefined)?.code;
    log.warn({ reason: typeof reason === 'number' || typeof reason === 'string' ? String(reason).slice(0, 40) : error?.name }, 'tracing: span export failed; spans are dropped until the collector answers (gateway_trace_spans_dropped_total)');
  };
}

await main();
