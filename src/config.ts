/**
 * Configuration, read from a plain record (normally process.env) by a pure function.
 * Only this file knows environment variable names. Every problem is reported at once,
 * naming the variable and never echoing a secret's value.
 */

import { isIP } from 'node:net';

export type AuthMode = 'passthrough' | 'token' | 'aksk';
export type ApiVersion = 'v1' | 'v2';
export type V2Offset = 'page' | 'record';
/** The OpenTelemetry SDK's samplers (OTEL_TRACES_SAMPLER) the gateway offers. */
export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

export interface Config {
  /** PORT, default 4000. */
  port: number;
  /** HOST, default 0.0.0.0. */
  host: string;
  /** MODELARTS_ENDPOINT; undefined means demo mode (embedded emulator). */
  endpoint: string | undefined;
  /** MODELARTS_PROJECT_ID; required unless demo mode. */
  projectId: string;
  /** MODELARTS_API, default v1: the list API behind the endpoint (DESIGN.md "The ModelArts v2 upstream"). */
  api: ApiVersion;
  /** MODELARTS_V2_OFFSET, default page: how v2 reads `offset` (UPSTREAM.md "v2"). */
  v2Offset: V2Offset;
  /** MODELARTS_AUTH, default passthrough. */
  auth: AuthMode;
  /** MODELARTS_TOKEN, required when auth is token. */
  token: string | undefined;
  /** MODELARTS_AK / MODELARTS_SK, required when auth is aksk. */
  ak: string | undefined;
  sk: string | undefined;
  /** MODELARTS_SECURITY_TOKEN: with temporary AK/SK, sent (and signed) as X-Security-Token. */
  securityToken: string | undefined;
  /** UPSTREAM_TIMEOUT_MS, default 10000: one upstream call, retries included. */
  upstreamTimeoutMs: number;
  /** UPSTREAM_MAX_ATTEMPTS, default 3: tries per call on connection failures, 429, 502-504. */
  upstreamMaxAttempts: number;
  /** MAX_UPSTREAM_CALLS, default 100: the upstream calls one operation may ask for. */
  maxUpstreamCalls: number;
  /** UPSTREAM_MAX_BODY_BYTES, default 4 MiB: a larger upstream body is cut off (UPSTREAM_ERROR). */
  upstreamMaxBodyBytes: number;
  /** UPSTREAM_BREAKER_THRESHOLD, default 10 consecutive unavailability failures; 0 disables. */
  breakerThreshold: number;
  /** UPSTREAM_BREAKER_COOLOFF_MS, default 5000: how long the upstream is left alone. */
  breakerCoolOffMs: number;
  /** MAX_REQUEST_BYTES, default 100 KiB: the largest GraphQL request body accepted. */
  maxRequestBytes: number;
  /**
   * COMPRESSION (default br,gzip: the codings offered, preferred first; off: none) and
   * COMPRESSION_MIN_BYTES (default 4096): answers compressed for clients that accept it.
   */
  compression: { encodings: Array<'br' | 'gzip'>; minBytes: number };
  /** CACHE_TTL_MS, default 0 (off): how long an upstream page is reused for the same caller. */
  cacheTtlMs: number;
  /** CACHE_MAX_ENTRIES, default 1000 pages. */
  cacheMaxEntries: number;
  /** MAX_DEPTH / MAX_ALIASES / MAX_DIRECTIVES / MAX_COST: per operation (operation-limits.ts). */
  limits: { maxDepth: number; maxAliases: number; maxDirectives: number; maxCost: number };
  /** MAX_TOKENS, default 5000: tokens per GraphQL document. */
  maxTokens: number;
  /** INTROSPECTION, default true. */
  introspection: boolean;
  /** GRAPHIQL, default true. */
  graphiql: boolean;
  /** CORS_ORIGINS, comma-separated; default none, or '*' in demo mode. */
  corsOrigins: string[];
  /** RATE_LIMIT_PER_SECOND (default 0: off) and RATE_LIMIT_BURST (default 2x the rate, at least 1), per caller. */
  rateLimit: { perSecond: number; burst: number };
  /** PERSISTED_OPERATIONS: path of a persisted-documents.json manifest; unset = none. */
  persistedOperations: string | undefined;
  /** PERSISTED_OPERATIONS_MODE: allowlist (default: only manifest operations) or mixed. */
  persistedMode: 'allowlist' | 'mixed';
  /** LOG_LEVEL, default info. */
  logLevel: string;
  /** SHUTDOWN_GRACE_MS, default 15000: how long requests in flight may finish after SIGTERM. */
  shutdownGraceMs: number;
  /** SHUTDOWN_DELAY_MS, default 0: how long /ready says 503 before the listener closes. */
  shutdownDelayMs: number;
  /**
   * LIVE_POLL_MS (default 5000), LIVE_MAX_BACKOFF_MS (default 60000), LIVE_MAX_SUBSCRIPTIONS
   * (default 10000 per process) and LIVE_MAX_PER_CALLER (default 20): subscriptions (src/live/).
   */
  live: { pollMs: number; maxBackoffMs: number; maxSubscriptions: number; maxPerCaller: number; maxSocketsPerCaller: number };
  /**
   * TRUST_PROXY: the proxies whose X-Forwarded-For is believed, as proxy-addr's trust list
   * (`private` expanded); empty trusts none (DESIGN.md "Client addresses behind proxies").
   */
  trustProxy: string[];
  /** The OTEL_* variables; undefined when no OTLP endpoint is set (tracing off). */
  tracing: TracingConfig | undefined;
  /** REDIS_URL (parsed), REDIS_KEY_PREFIX and REDIS_TIMEOUT_MS; undefined when REDIS_URL is unset. */
  redis: RedisConfig | undefined;
}

/** Where and how spans are exported (DESIGN.md "OpenTelemetry traces"). */
export interface TracingConfig {
  /** The traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT with /v1/traces. Never logged: it may carry a key. */
  url: string;
  /** OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL, default http/protobuf. */
  protocol: 'http/protobuf' | 'http/json';
  /** OTEL_EXPORTER_OTLP_(TRACES_)HEADERS: sent with every export (a collector's key); never logged. */
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME, default training-jobs-gateway. */
  serviceName: string;
  /** OTEL_TRACES_SAMPLER (default parentbased_always_on) and its ratio, OTEL_TRACES_SAMPLER_ARG (default 1). */
  sampler: { name: SamplerName; ratio: number };
  /** OTEL_BSP_*: the batch processor's queue (2048 spans), batch (512), delay (1000 ms) and export timeout (10000 ms). */
  batch: { maxQueueSize: number; maxExportBatchSize: number; scheduledDelayMs: number; exportTimeoutMs: number };
}

/** Where the fleet's shared state lives (DESIGN.md "Scale-out"). */
export interface RedisConfig {
  host: string;
  port: number;
  /** From the URL's user info; the password is never logged. */
  username: string | undefined;
  password: string | undefined;
  db: number;
  /** rediss:// */
  tls: boolean;
  /** REDIS_KEY_PREFIX, default `tjg:`: of every key and channel. */
  keyPrefix: string;
  /** REDIS_TIMEOUT_MS, default 250: a slower command counts as failed. */
  timeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** The project id used in demo mode, where the emulator accepts any. */
export const DEMO_PROJECT_ID = 'demo-project';

/**
 * Every variable with its default and meaning: `--help` prints this table, and tests hold
 * loadConfig, docs/configuration.md and .env.example to it.
 */
export const VARIABLES: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  { name: 'PORT', default: '4000', meaning: 'the port the gateway listens on' },
  { name: 'HOST', default: '0.0.0.0', meaning: 'the address the gateway listens on' },
  { name: 'MODELARTS_ENDPOINT', default: '(demo mode)', meaning: 'ModelArts base URL, e.g. https://modelarts.cn-north-4.myhuaweicloud.com; unset runs the embedded emulator' },
  { name: 'MODELARTS_PROJECT_ID', default: '(demo-project in demo mode)', meaning: 'the project in the upstream path; required with MODELARTS_ENDPOINT' },
  { name: 'MODELARTS_API', default: 'v1', meaning: 'the list API: v1 (GET /v1/{project_id}/training-jobs) or v2 (POST /v2/{project_id}/training-job-searches); the demo serves either' },
  { name: 'MODELARTS_V2_OFFSET', default: 'page', meaning: "v2 only: how the upstream reads offset, page (a 0-based page index) or record (the first job's index)" },
  { name: 'MODELARTS_AUTH', default: 'passthrough', meaning: "passthrough (the caller's token), token (MODELARTS_TOKEN) or aksk (MODELARTS_AK / MODELARTS_SK)" },
  { name: 'MODELARTS_TOKEN', default: '', meaning: 'the IAM token sent upstream in token mode' },
  { name: 'MODELARTS_AK', default: '', meaning: 'the access key that signs upstream requests in aksk mode' },
  { name: 'MODELARTS_SK', default: '', meaning: 'the secret key that signs upstream requests in aksk mode' },
  { name: 'MODELARTS_SECURITY_TOKEN', default: '', meaning: 'with temporary keys: sent and signed as X-Security-Token' },
  { name: 'UPSTREAM_TIMEOUT_MS', default: '10000', meaning: "deadline of one field's upstream work (one call, or a status group's branches, or the counts), retries included" },
  { name: 'MAX_UPSTREAM_CALLS', default: '100', meaning: 'the upstream calls one operation may ask for (1-10000), counted before any call: on v1 a page is 1, a status group page one per code and upstream page, trainingJobCounts 24; on v2 a page is 1 per 50 jobs, trainingJobCounts 8' },
  { name: 'UPSTREAM_MAX_ATTEMPTS', default: '3', meaning: 'tries per call (1-10) on connection failures and HTTP 429, 502, 503, 504' },
  { name: 'UPSTREAM_MAX_BODY_BYTES', default: '4194304', meaning: 'the largest upstream body read' },
  { name: 'UPSTREAM_BREAKER_THRESHOLD', default: '10', meaning: 'consecutive unavailability failures that open the circuit; 0 turns the breaker off' },
  { name: 'UPSTREAM_BREAKER_COOLOFF_MS', default: '5000', meaning: 'how long an open circuit leaves the upstream alone before one probe' },
  { name: 'MAX_REQUEST_BYTES', default: '102400', meaning: 'the largest GraphQL request body' },
  { name: 'COMPRESSION', default: 'br,gzip', meaning: 'codings for answers to clients that accept them, preferred first (br, gzip, or both comma-separated); off when the ingress compresses' },
  { name: 'COMPRESSION_MIN_BYTES', default: '4096', meaning: 'answers smaller than this go out uncompressed' },
  { name: 'CACHE_TTL_MS', default: '0', meaning: 'reuse an upstream page for this long for the same credential; 0 is off' },
  { name: 'CACHE_MAX_ENTRIES', default: '1000', meaning: 'pages the cache keeps, least recently used dropped first' },
  { name: 'MAX_DEPTH', default: '8', meaning: 'deepest field selection per operation' },
  { name: 'MAX_ALIASES', default: '15', meaning: 'aliases per operation' },
  { name: 'MAX_DIRECTIVES', default: '20', meaning: 'directives per operation' },
  { name: 'MAX_COST', default: '5000', meaning: 'cost per operation (objects 2, scalars 1, x1.5 per level)' },
  { name: 'MAX_TOKENS', default: '5000', meaning: 'tokens per GraphQL document' },
  { name: 'INTROSPECTION', default: 'true', meaning: 'answer schema introspection' },
  { name: 'GRAPHIQL', default: 'true', meaning: 'serve GraphiQL at GET /graphql' },
  { name: 'CORS_ORIGINS', default: '(none; * in demo mode)', meaning: 'comma-separated origins allowed to call from a browser' },
  { name: 'RATE_LIMIT_PER_SECOND', default: '0', meaning: 'requests per second per caller; 0 is off' },
  { name: 'RATE_LIMIT_BURST', default: '(twice the rate)', meaning: 'requests a caller may send at once' },
  { name: 'PERSISTED_OPERATIONS', default: '', meaning: 'path of a persisted-documents.json manifest' },
  { name: 'PERSISTED_OPERATIONS_MODE', default: 'allowlist', meaning: 'allowlist (only manifest operations) or mixed' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'fatal, error, warn, info, debug, trace or silent' },
  { name: 'SHUTDOWN_GRACE_MS', default: '15000', meaning: 'after SIGTERM or SIGINT, how long requests in flight may finish' },
  { name: 'SHUTDOWN_DELAY_MS', default: '0', meaning: 'after SIGTERM or SIGINT, how long /ready answers 503 while serving, before the listener closes' },
  { name: 'LIVE_POLL_MS', default: '5000', meaning: 'how often a live subscription\'s page is fetched (1000-600000, with ±10% jitter), once per distinct page however many watch it' },
  { name: 'LIVE_MAX_BACKOFF_MS', default: '60000', meaning: 'the longest wait between polls after transient upstream failures (the wait doubles from LIVE_POLL_MS)' },
  { name: 'LIVE_MAX_SUBSCRIPTIONS', default: '10000', meaning: 'open subscriptions per process; 0 refuses every subscription' },
  { name: 'LIVE_MAX_PER_CALLER', default: '20', meaning: 'open subscriptions per caller (credential, or address without one)' },
  { name: 'LIVE_MAX_SOCKETS_PER_CALLER', default: '10', meaning: 'open WebSocket connections per caller (the upgrade\'s credential, or its address without one) and process (1-10000); the next upgrade gets 429' },
  { name: 'TRUST_PROXY', default: '(none)', meaning: 'proxies whose X-Forwarded-For is believed: comma-separated IPs and CIDRs, or loopback, linklocal, uniquelocal, private' },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', default: '(tracing off)', meaning: 'OTLP/HTTP base URL of a collector (/v1/traces is appended); set it to export traces' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', default: '', meaning: 'the traces URL itself, used as given (takes precedence)' },
  { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', default: 'http/protobuf', meaning: 'http/protobuf or http/json (grpc is not offered); OTEL_EXPORTER_OTLP_TRACES_PROTOCOL takes precedence' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', default: '', meaning: 'the protocol for traces (takes precedence)' },
  { name: 'OTEL_EXPORTER_OTLP_HEADERS', default: '', meaning: 'key=value pairs, comma-separated and percent-encoded, sent with every export (a collector\'s key); never logged' },
  { name: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', default: '', meaning: 'headers for traces only (added to, and taking precedence over, OTEL_EXPORTER_OTLP_HEADERS)' },
  { name: 'OTEL_SERVICE_NAME', default: 'training-jobs-gateway', meaning: 'service.name of every span' },
  { name: 'OTEL_TRACES_SAMPLER', default: 'parentbased_always_on', meaning: 'always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio' },
  { name: 'OTEL_TRACES_SAMPLER_ARG', default: '1', meaning: 'the ratio (0-1) of the traceidratio samplers' },
  { name: 'OTEL_SDK_DISABLED', default: 'false', meaning: 'true turns tracing off whatever the endpoint' },
  { name: 'OTEL_BSP_MAX_QUEUE_SIZE', default: '2048', meaning: 'spans waiting for export; more are dropped (gateway_trace_spans_dropped_total)' },
  { name: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', default: '512', meaning: 'spans per export (at most the queue size)' },
  { name: 'OTEL_BSP_SCHEDULE_DELAY', default: '1000', meaning: 'ms between exports of a batch that is not yet full' },
  { name: 'OTEL_BSP_EXPORT_TIMEOUT', default: '10000', meaning: 'ms an export may take; its spans are dropped after' },
  { name: 'REDIS_URL', default: '', meaning: 'redis://[user:password@]host:port[/db] or rediss:// (TLS): share the page cache, rate limits and live pollers with the other replicas; unset keeps them in this process' },
  { name: 'REDIS_KEY_PREFIX', default: 'tjg:', meaning: 'prefix of every Redis key and channel, so environments can share a Redis' },
  { name: 'REDIS_TIMEOUT_MS', default: '250', meaning: 'a Redis command slower than this counts as failed, and the gateway goes on without Redis' },
];

/** The text of `--help`. */
export function usage(): string {
  const width = Math.max(...VARIABLES.map((v) => v.name.length));
  const rows = VARIABLES.map((v) => `  ${v.name.padEnd(width)}  ${v.meaning}${v.default ? ` [${v.default}]` : ''}`);
  return [
    'GraphQL gateway over the ModelArts "list training jobs" API.',
    '',
    'Configured by environment variables (defaults in brackets):',
    ...rows,
    '',
    'Signals: SIGTERM or SIGINT drains and stops; a second one stops at once.',
    '',
  ].join('\n');
}

const PROJECT_ID = /^[A-Za-z0-9-]{1,64}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const AUTH_MODES: readonly AuthMode[] = ['passthrough', 'token', 'aksk'];

export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };

  const port = int('PORT', 4000, 0, 65535);
  const host = get('HOST') ?? '0.0.0.0';
  const upstreamTimeoutMs = int('UPSTREAM_TIMEOUT_MS', 10_000, 1, 600_000);
  const upstreamMaxAttempts = int('UPSTREAM_MAX_ATTEMPTS', 3, 1, 10);
  const maxUpstreamCalls = int('MAX_UPSTREAM_CALLS', 100, 1, 10_000);
  const upstreamMaxBodyBytes = int('UPSTREAM_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 1024 ** 3);
  const breakerThreshold = int('UPSTREAM_BREAKER_THRESHOLD', 10, 0, 1000);
  const breakerCoolOffMs = int('UPSTREAM_BREAKER_COOLOFF_MS', 5000, 1, 600_000);
  const maxRequestBytes = int('MAX_REQUEST_BYTES', 100 * 1024, 1024, 64 * 1024 * 1024);
  const compression = compressionConfig(get('COMPRESSION'), int('COMPRESSION_MIN_BYTES', 4096, 0, 64 * 1024 * 1024), problems);
  const cacheTtlMs = int('CACHE_TTL_MS', 0, 0, 24 * 3600 * 1000);
  const cacheMaxEntries = int('CACHE_MAX_ENTRIES', 1000, 1, 1_000_000);
  const limits = {
    maxDepth: int('MAX_DEPTH', 8, 1, 1000),
    maxAliases: int('MAX_ALIASES', 15, 0, 10_000),
    maxDirectives: int('MAX_DIRECTIVES', 20, 0, 10_000),
    maxCost: int('MAX_COST', 5000, 1, 10_000_000),
  };
  const maxTokens = int('MAX_TOKENS', 5000, 10, 1_000_000);
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = get(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const perSecond = int('RATE_LIMIT_PER_SECOND', 0, 0, 100_000);
  const rateLimit = { perSecond, burst: int('RATE_LIMIT_BURST', Math.max(1, perSecond * 2), 1, 1_000_000) };
  const persistedOperations = get('PERSISTED_OPERATIONS');
  const persistedMode = (get('PERSISTED_OPERATIONS_MODE') ?? 'allowlist') as 'allowlist' | 'mixed';
  if (persistedMode !== 'allowlist' && persistedMode !== 'mixed') {
    problems.push('PERSISTED_OPERATIONS_MODE must be allowlist or mixed');
  }
  const introspection = bool('INTROSPECTION', true);
  const graphiql = bool('GRAPHIQL', true);

  const shutdownGraceMs = int('SHUTDOWN_GRACE_MS', 15_000, 0, 600_000);
  const shutdownDelayMs = int('SHUTDOWN_DELAY_MS', 0, 0, 600_000);

  const live = {
    pollMs: int('LIVE_POLL_MS', 5000, 1000, 600_000),
    maxBackoffMs: int('LIVE_MAX_BACKOFF_MS', 60_000, 1000, 3_600_000),
    maxSubscriptions: int('LIVE_MAX_SUBSCRIPTIONS', 10_000, 0, 1_000_000),
    maxPerCaller: int('LIVE_MAX_PER_CALLER', 20, 1, 100_000),
    maxSocketsPerCaller: int('LIVE_MAX_SOCKETS_PER_CALLER', 10, 1, 10_000),
  };
  if (live.maxBackoffMs < live.pollMs) {
    problems.push(`LIVE_MAX_BACKOFF_MS must not be below LIVE_POLL_MS (${live.pollMs})`);
  }

  const trustProxy = trustProxyConfig(get('TRUST_PROXY'), problems);
  const tracing = tracingConfig(get, int, problems);

  const redis = redisConfig(get('REDIS_URL'), get('REDIS_KEY_PREFIX') ?? 'tjg:', int('REDIS_TIMEOUT_MS', 250, 10, 60_000), problems);

  const logLevel = get('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const endpoint = get('MODELARTS_ENDPOINT');
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      // reported below
    }
    // The endpoint may hold a path prefix, but never credentials, a query or a fragment.
    if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
      problems.push('MODELARTS_ENDPOINT must be an http(s) URL without credentials, query or fragment');
    }
  }

  const projectId = get('MODELARTS_PROJECT_ID') ?? (endpoint === undefined ? DEMO_PROJECT_ID : '');
  if (endpoint !== undefined && projectId === '') {
    problems.push('MODELARTS_PROJECT_ID is required when MODELARTS_ENDPOINT is set');
  } else if (!PROJECT_ID.test(projectId)) {
    problems.push('MODELARTS_PROJECT_ID must be 1 to 64 letters, digits or hyphens');
  }

  const api = (get('MODELARTS_API') ?? 'v1') as ApiVersion;
  if (api !== 'v1' && api !== 'v2') problems.push('MODELARTS_API must be v1 or v2');
  const v2Offset = (get('MODELARTS_V2_OFFSET') ?? 'page') as V2Offset;
  if (v2Offset !== 'page' && v2Offset !== 'record') problems.push('MODELARTS_V2_OFFSET must be page or record');

  const auth = (get('MODELARTS_AUTH') ?? 'passthrough') as AuthMode;
  if (!AUTH_MODES.includes(auth)) {
    problems.push(`MODELARTS_AUTH must be one of ${AUTH_MODES.join(', ')}`);
  }
  const token = get('MODELARTS_TOKEN');
  const ak = get('MODELARTS_AK');
  const sk = get('MODELARTS_SK');
  const securityToken = get('MODELARTS_SECURITY_TOKEN');
  if (auth === 'token' && token === undefined) {
    problems.push('MODELARTS_TOKEN is required when MODELARTS_AUTH=token');
  }
  if (auth === 'aksk') {
    if (ak === undefined) problems.push('MODELARTS_AK is required when MODELARTS_AUTH=aksk');
    if (sk === undefined) problems.push('MODELARTS_SK is required when MODELARTS_AUTH=aksk');
  }

  const corsOrigins = (get('CORS_ORIGINS') ?? (endpoint === undefined ? '*' : ''))
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (origin !== '*' && !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      problems.push(`CORS_ORIGINS entries must be origins like https://app.example.com (got "${origin.slice(0, 80)}")`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port, host, endpoint, projectId, api, v2Offset, auth, token, ak, sk, securityToken, upstreamTimeoutMs, upstreamMaxAttempts, maxUpstreamCalls,
    upstreamMaxBodyBytes, breakerThreshold, breakerCoolOffMs, maxRequestBytes, compression, cacheTtlMs,
    cacheMaxEntries, limits, maxTokens, introspection, graphiql, corsOrigins, rateLimit,
    persistedOperations, persistedMode, logLevel, shutdownGraceMs, shutdownDelayMs, live, trustProxy, tracing, redis,
  };
}

/** COMPRESSION: off, or the codings offered in order of preference. */
function compressionConfig(raw: string | undefined, minBytes: number, problems: string[]): Config['compression'] {
  const fallback: Config['compression'] = { encodings: ['br', 'gzip'], minBytes };
  if (raw === undefined) return fallback;
  if (raw.toLowerCase() === 'off') return { encodings: [], minBytes };
  const list = raw.toLowerCase().split(',').map((coding) => coding.trim());
  if (list.some((coding) => coding !== 'br' && coding !== 'gzip') || new Set(list).size !== list.length) {
    problems.push(`COMPRESSION must be off, or br, gzip or both comma-separated, preferred first (got "${raw.slice(0, 80)}")`);
    return fallback;
  }
  return { encodings: list as Array<'br' | 'gzip'>, minBytes };
}

/**
 * REDIS_URL, parsed here rather than by the client: the client would take query parameters as
 * connection options. Problems never echo the URL, which may hold a password.
 */
function redisConfig(raw: string | undefined, keyPrefix: string, timeoutMs: number, problems: string[]): RedisConfig | undefined {
  if (!/^[\x21-\x7e]{0,64}$/.test(keyPrefix)) problems.push('REDIS_KEY_PREFIX must be at most 64 printable characters without spaces');
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  const db = url === undefined || url.pathname === '' || url.pathname === '/' ? 0 : Number(url.pathname.slice(1));
  if (!url || !/^rediss?:$/.test(url.protocol) || url.hostname === '' || url.search || url.hash || !Number.isInteger(db) || db < 0 || db > 1000) {
    problems.push('REDIS_URL must look like redis://[user:password@]host:port[/db] or rediss://… (no query or fragment)');
    return undefined;
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db,
    tls: url.protocol === 'rediss:',
    keyPrefix,
    timeoutMs,
  };
}

/** DESIGN.md's `private`: the ranges RFC 1918 and RFC 4193 set aside. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** TRUST_PROXY as proxy-addr's list; each entry is checked here so that start-up names a bad one. */
function trustProxyConfig(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined) return [];
  const list: string[] = [];
  for (const entry of raw.split(',').map((e) => e.trim())) {
    if (entry === 'private') list.push(...PRIVATE_RANGES);
    else if (PROXY_NAMES.has(entry) || isAddressOrRange(entry)) list.push(entry);
    else problems.push(`TRUST_PROXY entries must be IPs, CIDRs or loopback, linklocal, uniquelocal, private (got "${entry.slice(0, 80)}")`);
  }
  return list;
}

/** An IP, or an IP with a prefix length that fits it (what proxy-addr compiles). */
function isAddressOrRange(entry: string): boolean {
  const slash = entry.indexOf('/');
  const ip = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(ip);
  if (version === 0 || ip.includes('%')) return false;
  if (slash === -1) return true;
  const bits = entry.slice(slash + 1);
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

const SAMPLERS: readonly SamplerName[] = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;

/**
 * The OTEL_* variables (the OpenTelemetry SDK's own names and meanings), read here so that the
 * SDK gets explicit options and start-up names every problem. Off without an endpoint, or with
 * OTEL_SDK_DISABLED=true. Problems never echo a URL or a header: either may hold a key.
 */
function tracingConfig(
  get: (name: string) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): TracingConfig | undefined {
  const tracesUrl = get('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseUrl = get('OTEL_EXPORTER_OTLP_ENDPOINT');
  const url = tracesUrl ?? (baseUrl === undefined ? undefined : `${baseUrl.replace(/\/+$/, '')}/v1/traces`);
  const protocol = get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? get('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!(PROTOCOLS as readonly string[]).includes(protocol)) {
    problems.push(`OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (got "${protocol.slice(0, 40)}"${protocol === 'grpc' ? ': grpc is not offered' : ''})`);
  }
  const sampler = (get('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on') as SamplerName;
  if (!SAMPLERS.includes(sampler)) problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}`);
  const rawRatio = get('OTEL_TRACES_SAMPLER_ARG');
  const ratio = rawRatio === undefined ? 1 : Number(rawRatio);
  if (rawRatio !== undefined && (!/^\d*\.?\d+(e-?\d+)?$/i.test(rawRatio) || !(ratio >= 0 && ratio <= 1))) {
    problems.push(`OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1 (got "${rawRatio.slice(0, 40)}")`);
  }
  const serviceName = get('OTEL_SERVICE_NAME') ?? 'training-jobs-gateway';
  if (serviceName.length > 255) problems.push('OTEL_SERVICE_NAME must be at most 255 characters');
  const headers = {
    ...otlpHeaders('OTEL_EXPORTER_OTLP_HEADERS', get('OTEL_EXPORTER_OTLP_HEADERS'), problems),
    ...otlpHeaders('OTEL_EXPORTER_OTLP_TRACES_HEADERS', get('OTEL_EXPORTER_OTLP_TRACES_HEADERS'), problems),
  };
  const batch = {
    maxQueueSize: int('OTEL_BSP_MAX_QUEUE_SIZE', 2048, 1, 1_000_000),
    maxExportBatchSize: int('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, 1, 1_000_000),
    scheduledDelayMs: int('OTEL_BSP_SCHEDULE_DELAY', 1000, 1, 600_000),
    exportTimeoutMs: int('OTEL_BSP_EXPORT_TIMEOUT', 10_000, 1, 600_000),
  };
  if (batch.maxExportBatchSize > batch.maxQueueSize) problems.push('OTEL_BSP_MAX_EXPORT_BATCH_SIZE must not exceed OTEL_BSP_MAX_QUEUE_SIZE');
  const disabled = get('OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
  if (url === undefined || disabled) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol)) {
    problems.push(`${tracesUrl === undefined ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'} must be an http(s) URL`);
  }
  return { url, protocol: protocol as TracingConfig['protocol'], headers, serviceName, sampler: { name: sampler, ratio }, batch };
}

/** The W3C baggage-like list the OTLP exporters read: `key=value` pairs, percent-encoded, comma-separated. */
function otlpHeaders(name: string, raw: string | undefined, problems: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === undefined) return headers;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    let key = '';
    let value = '';
    try {
      key = decodeURIComponent(pair.slice(0, eq).trim()).toLowerCase();
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      key = '';
    }
    if (eq <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key) || /[\r\n\0]/.test(value)) {
      problems.push(`${name} must be comma-separated key=value pairs, percent-encoded`);
      return {};
    }
    headers[key] = value;
  }
  return headers;
}
