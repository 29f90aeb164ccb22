// loadConfig(env): defaults, every variable, every problem at once, secrets never echoed
// (DESIGN.md "Configuration").
import { describe, expect, it } from 'vitest';
import { ConfigError, DEMO_PROJECT_ID, loadConfig, usage, VARIABLES, type Config } from '../../src/config.ts';

type Env = Record<string, string | undefined>;

const REAL = { MODELARTS_ENDPOINT: 'https://modelarts.cn-north-4.myhuaweicloud.com', MODELARTS_PROJECT_ID: 'proj-1' };

/** The ConfigError loadConfig throws for env, or a failure when it accepts env. */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, the configuration was accepted');
}

describe('loadConfig defaults', () => {
  it('runs in demo mode on the emulator with every default when the environment is empty', () => {
    expect(loadConfig({})).toEqual<Config>({
      port: 4000,
      host: '0.0.0.0',
      endpoint: undefined,
      projectId: DEMO_PROJECT_ID,
      api: 'v1',
      v2Offset: 'page',
      auth: 'passthrough',
      token: undefined,
      ak: undefined,
      sk: undefined,
      securityToken: undefined,
      upstreamTimeoutMs: 10_000,
      upstreamMaxAttempts: 3,
      maxUpstreamCalls: 100,
      upstreamMaxBodyBytes: 4194304,
      breakerThreshold: 10,
      breakerCoolOffMs: 5000,
      maxRequestBytes: 102400,
      compression: { encodings: ['br', 'gzip'], minBytes: 4096 },
      cacheTtlMs: 0,
      cacheMaxEntries: 1000,
      limits: { maxDepth: 8, maxAliases: 15, maxDirectives: 20, maxCost: 5000 },
      maxTokens: 5000,
      introspection: true,
      graphiql: true,
      corsOrigins: ['*'],
      rateLimit: { perSecond: 0, burst: 1 },
      persistedOperations: undefined,
      persistedMode: 'allowlist',
      logLevel: 'info',
      shutdownGraceMs: 15_000,
      shutdownDelayMs: 0,
      live: { pollMs: 5000, maxBackoffMs: 60_000, maxSubscriptions: 10_000, maxPerCaller: 20, maxSocketsPerCaller: 10 },
      trustProxy: [],
      tracing: undefined,
      redis: undefined,
    });
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
  ])('treats an %s variable as unset', (_what, value) => {
    const env = Object.fromEntries(
      ['PORT', 'HOST', 'MODELARTS_ENDPOINT', 'MODELARTS_PROJECT_ID', 'MODELARTS_AUTH', 'UPSTREAM_TIMEOUT_MS', 'LOG_LEVEL']
        .map((name) => [name, value]),
    );
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/usr/bin', NODE_ENV: 'production', MODELARTS_COLOR: 'blue' })).toEqual(loadConfig({}));
  });
});

describe('loadConfig reads each variable', () => {
  it.each<[string, Env, Partial<Config>]>([
    ['PORT', { PORT: '8080' }, { port: 8080 }],
    ['PORT 0 (any free port)', { PORT: '0' }, { port: 0 }],
    ['PORT at its maximum', { PORT: '65535' }, { port: 65535 }],
    ['PORT with surrounding spaces', { PORT: ' 8080 ' }, { port: 8080 }],
    ['HOST', { HOST: '127.0.0.1' }, { host: '127.0.0.1' }],
    ['HOST as IPv6', { HOST: '::' }, { host: '::' }],
    ['MODELARTS_ENDPOINT over https', REAL, { endpoint: REAL.MODELARTS_ENDPOINT, projectId: 'proj-1' }],
    ['MODELARTS_ENDPOINT over http with a port', { ...REAL, MODELARTS_ENDPOINT: 'http://127.0.0.1:9000' }, { endpoint: 'http://127.0.0.1:9000' }],
    ['MODELARTS_ENDPOINT with a path prefix', { ...REAL, MODELARTS_ENDPOINT: 'https://gw.example.com/modelarts' }, { endpoint: 'https://gw.example.com/modelarts' }],
    ['MODELARTS_PROJECT_ID in demo mode', { MODELARTS_PROJECT_ID: 'my-demo' }, { endpoint: undefined, projectId: 'my-demo' }],
    ['MODELARTS_PROJECT_ID of 32 hex digits', { ...REAL, MODELARTS_PROJECT_ID: '77b6a44cba5143ab91d13ab9a8ff44fd' }, { projectId: '77b6a44cba5143ab91d13ab9a8ff44fd' }],
    ['MODELARTS_PROJECT_ID of one character', { ...REAL, MODELARTS_PROJECT_ID: 'a' }, { projectId: 'a' }],
    ['MODELARTS_PROJECT_ID of 64 characters', { ...REAL, MODELARTS_PROJECT_ID: 'A-z0'.repeat(16) }, { projectId: 'A-z0'.repeat(16) }],
    ['MODELARTS_API v2', { MODELARTS_API: 'v2' }, { api: 'v2', v2Offset: 'page' }],
    ['MODELARTS_API v2 reading offset as a record index', { MODELARTS_API: 'v2', MODELARTS_V2_OFFSET: 'record' }, { api: 'v2', v2Offset: 'record' }],
    ['MODELARTS_AUTH passthrough', { MODELARTS_AUTH: 'passthrough' }, { auth: 'passthrough' }],
    ['MODELARTS_AUTH token with MODELARTS_TOKEN', { MODELARTS_AUTH: 'token', MODELARTS_TOKEN: 'tok-123' }, { auth: 'token', token: 'tok-123' }],
    ['UPSTREAM_TIMEOUT_MS', { UPSTREAM_TIMEOUT_MS: '2500' }, { upstreamTimeoutMs: 2500 }],
    ['UPSTREAM_TIMEOUT_MS at its minimum', { UPSTREAM_TIMEOUT_MS: '1' }, { upstreamTimeoutMs: 1 }],
    ['UPSTREAM_TIMEOUT_MS at its maximum', { UPSTREAM_TIMEOUT_MS: '600000' }, { upstreamTimeoutMs: 600_000 }],
    ['UPSTREAM_MAX_ATTEMPTS', { UPSTREAM_MAX_ATTEMPTS: '1' }, { upstreamMaxAttempts: 1 }],
    ['UPSTREAM_MAX_BODY_BYTES', { UPSTREAM_MAX_BODY_BYTES: '2048' }, { upstreamMaxBodyBytes: 2048 }],
    ['UPSTREAM_BREAKER_THRESHOLD off', { UPSTREAM_BREAKER_THRESHOLD: '0' }, { breakerThreshold: 0 }],
    ['UPSTREAM_BREAKER_COOLOFF_MS', { UPSTREAM_BREAKER_COOLOFF_MS: '250' }, { breakerCoolOffMs: 250 }],
    ['MAX_REQUEST_BYTES', { MAX_REQUEST_BYTES: '4096' }, { maxRequestBytes: 4096 }],
    ['COMPRESSION off', { COMPRESSION: 'off' }, { compression: { encodings: [], minBytes: 4096 } }],
    ['COMPRESSION OFF in capitals', { COMPRESSION: 'OFF' }, { compression: { encodings: [], minBytes: 4096 } }],
    ['COMPRESSION gzip only', { COMPRESSION: 'gzip' }, { compression: { encodings: ['gzip'], minBytes: 4096 } }],
    ['COMPRESSION gzip before br', { COMPRESSION: ' gzip , BR ' }, { compression: { encodings: ['gzip', 'br'], minBytes: 4096 } }],
    ['COMPRESSION_MIN_BYTES', { COMPRESSION_MIN_BYTES: '4096' }, { compression: { encodings: ['br', 'gzip'], minBytes: 4096 } }],
    ['COMPRESSION_MIN_BYTES of 0 (every non-empty answer)', { COMPRESSION_MIN_BYTES: '0' }, { compression: { encodings: ['br', 'gzip'], minBytes: 0 } }],
    ['CACHE_TTL_MS', { CACHE_TTL_MS: '30000' }, { cacheTtlMs: 30000 }],
    ['CACHE_MAX_ENTRIES', { CACHE_MAX_ENTRIES: '50' }, { cacheMaxEntries: 50 }],
    ['the operation limits', { MAX_DEPTH: '5', MAX_ALIASES: '3', MAX_DIRECTIVES: '2', MAX_COST: '900' }, { limits: { maxDepth: 5, maxAliases: 3, maxDirectives: 2, maxCost: 900 } }],
    ['MAX_TOKENS', { MAX_TOKENS: '800' }, { maxTokens: 800 }],
    ['a rate limit with its default burst', { RATE_LIMIT_PER_SECOND: '5' }, { rateLimit: { perSecond: 5, burst: 10 } }],
    ['a rate limit and a burst', { RATE_LIMIT_PER_SECOND: '5', RATE_LIMIT_BURST: '3' }, { rateLimit: { perSecond: 5, burst: 3 } }],
    ['the production switches', { INTROSPECTION: 'false', GRAPHIQL: '0' }, { introspection: false, graphiql: false }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }, { corsOrigins: ['https://app.example.com', 'http://localhost:5173'] }],
    ['CORS closed by default outside demo mode', { ...REAL }, { corsOrigins: [] }],
    ['UPSTREAM_MAX_ATTEMPTS at its maximum', { UPSTREAM_MAX_ATTEMPTS: '10' }, { upstreamMaxAttempts: 10 }],
    ['SHUTDOWN_GRACE_MS', { SHUTDOWN_GRACE_MS: '30000' }, { shutdownGraceMs: 30_000 }],
    ['SHUTDOWN_GRACE_MS of 0 (cut at once)', { SHUTDOWN_GRACE_MS: '0' }, { shutdownGraceMs: 0 }],
    ['SHUTDOWN_DELAY_MS', { SHUTDOWN_DELAY_MS: '5000' }, { shutdownDelayMs: 5000 }],
    [
      'the live-update settings',
      { LIVE_POLL_MS: '1000', LIVE_MAX_BACKOFF_MS: '1000', LIVE_MAX_SUBSCRIPTIONS: '0', LIVE_MAX_PER_CALLER: '3', LIVE_MAX_SOCKETS_PER_CALLER: '10000' },
      { live: { pollMs: 1000, maxBackoffMs: 1000, maxSubscriptions: 0, maxPerCaller: 3, maxSocketsPerCaller: 10_000 } },
    ],
    ['TRUST_PROXY with an IP, a v6 CIDR and a name', { TRUST_PROXY: '10.1.2.3, fd00::/8,loopback' }, { trustProxy: ['10.1.2.3', 'fd00::/8', 'loopback'] }],
    ['TRUST_PROXY private, expanded', { TRUST_PROXY: 'private' }, { trustProxy: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'] }],
    ['no tracing without an endpoint', { OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }, { tracing: undefined }],
    [
      'tracing with its defaults, /v1/traces appended to the base URL',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' },
      {
        tracing: {
          url: 'http://collector:4318/v1/traces',
          protocol: 'http/protobuf',
          headers: {},
          serviceName: 'training-jobs-gateway',
          sampler: { name: 'parentbased_always_on', ratio: 1 },
          batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMs: 1000, exportTimeoutMs: 10_000 },
        },
      },
    ],
    [
      'every tracing variable, the traces-only ones taking precedence',
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example.com/otlp/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'X-Key=a%20b,tenant=1',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'tenant=2',
        OTEL_SERVICE_NAME: 'bff-eu',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_BSP_MAX_QUEUE_SIZE: '100',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_BSP_EXPORT_TIMEOUT: '2000',
      },
      {
        tracing: {
          url: 'https://collector.example.com/otlp/traces',
          protocol: 'http/json',
          headers: { 'x-key': 'a b', tenant: '2' },
          serviceName: 'bff-eu',
          sampler: { name: 'parentbased_traceidratio', ratio: 0.25 },
          batch: { maxQueueSize: 100, maxExportBatchSize: 10, scheduledDelayMs: 50, exportTimeoutMs: 2000 },
        },
      },
    ],
    ['OTEL_SDK_DISABLED', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, { tracing: undefined }],
    ['no Redis by default', {}, { redis: undefined }],
    [
      'a Redis URL with its defaults',
      { REDIS_URL: 'redis://redis.internal' },
      { redis: { host: 'redis.internal', port: 6379, username: undefined, password: undefined, db: 0, tls: false, keyPrefix: 'tjg:', timeoutMs: 250 } },
    ],
    [
      'a TLS Redis URL with credentials, a database and the Redis settings',
      { REDIS_URL: 'rediss://gw:p%40ss@10.0.0.5:6380/2', REDIS_KEY_PREFIX: 'staging:', REDIS_TIMEOUT_MS: '100' },
      { redis: { host: '10.0.0.5', port: 6380, username: 'gw', password: 'p@ss', db: 2, tls: true, keyPrefix: 'staging:', timeoutMs: 100 } },
    ],
    ['a Redis URL with a password only', { REDIS_URL: 'redis://:secret@[::1]:7000' }, { redis: expect.objectContaining({ host: '::1', port: 7000, username: undefined, password: 'secret' }) }],
    ['an empty REDIS_KEY_PREFIX', { REDIS_URL: 'redis://r', REDIS_KEY_PREFIX: '' }, { redis: expect.objectContaining({ keyPrefix: 'tjg:' }) }],
    ...['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(
      (level): [string, Env, Partial<Config>] => [`LOG_LEVEL ${level}`, { LOG_LEVEL: level }, { logLevel: level }],
    ),
  ])('reads %s', (_what, env, expected) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });
});

describe('loadConfig rejects a bad value, naming the variable', () => {
  it.each<[string, Env, string]>([
    ['a non-numeric PORT', { PORT: 'http' }, 'PORT'],
    ['a negative PORT', { PORT: '-1' }, 'PORT'],
    ['a PORT above 65535', { PORT: '65536' }, 'PORT'],
    ['a fractional PORT', { PORT: '80.5' }, 'PORT'],
    ['a PORT in hex', { PORT: '0x50' }, 'PORT'],
    ['a PORT in exponent form', { PORT: '8e3' }, 'PORT'],
    ['a zero UPSTREAM_TIMEOUT_MS', { UPSTREAM_TIMEOUT_MS: '0' }, 'UPSTREAM_TIMEOUT_MS'],
    ['an UPSTREAM_TIMEOUT_MS above ten minutes', { UPSTREAM_TIMEOUT_MS: '600001' }, 'UPSTREAM_TIMEOUT_MS'],
    ['an UPSTREAM_TIMEOUT_MS with a unit', { UPSTREAM_TIMEOUT_MS: '10s' }, 'UPSTREAM_TIMEOUT_MS'],
    ['a huge UPSTREAM_TIMEOUT_MS', { UPSTREAM_TIMEOUT_MS: '99999999999999999999999' }, 'UPSTREAM_TIMEOUT_MS'],
    ['an unknown LOG_LEVEL', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    ['an upper-case LOG_LEVEL', { LOG_LEVEL: 'INFO' }, 'LOG_LEVEL'],
    ['UPSTREAM_MAX_ATTEMPTS of 0', { UPSTREAM_MAX_ATTEMPTS: '0' }, 'UPSTREAM_MAX_ATTEMPTS'],
    ['UPSTREAM_MAX_BODY_BYTES below 1 KiB', { UPSTREAM_MAX_BODY_BYTES: '10' }, 'UPSTREAM_MAX_BODY_BYTES'],
    ['MAX_REQUEST_BYTES of garbage', { MAX_REQUEST_BYTES: '1e6' }, 'MAX_REQUEST_BYTES'],
    ['COMPRESSION on (not a value it takes)', { COMPRESSION: 'on' }, 'COMPRESSION'],
    ['COMPRESSION with deflate', { COMPRESSION: 'br,deflate' }, 'COMPRESSION'],
    ['COMPRESSION with a coding twice', { COMPRESSION: 'gzip,gzip' }, 'COMPRESSION'],
    ['COMPRESSION with an empty entry', { COMPRESSION: 'br,,gzip' }, 'COMPRESSION'],
    ['COMPRESSION off among codings', { COMPRESSION: 'off,gzip' }, 'COMPRESSION'],
    ['a negative COMPRESSION_MIN_BYTES', { COMPRESSION_MIN_BYTES: '-1' }, 'COMPRESSION_MIN_BYTES'],
    ['a COMPRESSION_MIN_BYTES with a unit', { COMPRESSION_MIN_BYTES: '2KB' }, 'COMPRESSION_MIN_BYTES'],
    ['UPSTREAM_MAX_ATTEMPTS of 11', { UPSTREAM_MAX_ATTEMPTS: '11' }, 'UPSTREAM_MAX_ATTEMPTS'],
    ['an unknown MODELARTS_AUTH', { MODELARTS_AUTH: 'basic' }, 'MODELARTS_AUTH'],
    ['INTROSPECTION that is not a boolean', { INTROSPECTION: 'sometimes' }, 'INTROSPECTION'],
    ['an unknown PERSISTED_OPERATIONS_MODE', { PERSISTED_OPERATIONS_MODE: 'strict' }, 'PERSISTED_OPERATIONS_MODE'],
    ['a CORS origin with a path', { CORS_ORIGINS: 'https://app.example.com/x' }, 'CORS_ORIGINS'],
    ['an upper-case MODELARTS_AUTH', { MODELARTS_AUTH: 'TOKEN', MODELARTS_TOKEN: 't' }, 'MODELARTS_AUTH'],
    ['MODELARTS_AUTH=token without MODELARTS_TOKEN', { MODELARTS_AUTH: 'token' }, 'MODELARTS_TOKEN'],
    ['MODELARTS_AUTH=token with a blank MODELARTS_TOKEN', { MODELARTS_AUTH: 'token', MODELARTS_TOKEN: '  ' }, 'MODELARTS_TOKEN'],
    ['MODELARTS_AUTH=aksk without MODELARTS_AK', { MODELARTS_AUTH: 'aksk', MODELARTS_SK: 'sk' }, 'MODELARTS_AK'],
    ['MODELARTS_AUTH=aksk without MODELARTS_SK', { MODELARTS_AUTH: 'aksk', MODELARTS_AK: 'ak' }, 'MODELARTS_SK'],
    ['an endpoint that is not a URL', { ...REAL, MODELARTS_ENDPOINT: 'modelarts.example.com' }, 'MODELARTS_ENDPOINT'],
    ['an ftp endpoint', { ...REAL, MODELARTS_ENDPOINT: 'ftp://modelarts.example.com' }, 'MODELARTS_ENDPOINT'],
    ['a file endpoint', { ...REAL, MODELARTS_ENDPOINT: 'file:///etc/passwd' }, 'MODELARTS_ENDPOINT'],
    ['an endpoint with user and password', { ...REAL, MODELARTS_ENDPOINT: 'https://user:pass@modelarts.example.com' }, 'MODELARTS_ENDPOINT'],
    ['an endpoint with a user only', { ...REAL, MODELARTS_ENDPOINT: 'https://user@modelarts.example.com' }, 'MODELARTS_ENDPOINT'],
    ['an endpoint with a query', { ...REAL, MODELARTS_ENDPOINT: 'https://modelarts.example.com/?token=abc' }, 'MODELARTS_ENDPOINT'],
    ['an endpoint with a fragment', { ...REAL, MODELARTS_ENDPOINT: 'https://modelarts.example.com/#x' }, 'MODELARTS_ENDPOINT'],
    ['an endpoint without MODELARTS_PROJECT_ID', { MODELARTS_ENDPOINT: REAL.MODELARTS_ENDPOINT }, 'MODELARTS_PROJECT_ID'],
    ['an endpoint with a blank MODELARTS_PROJECT_ID', { ...REAL, MODELARTS_PROJECT_ID: ' ' }, 'MODELARTS_PROJECT_ID'],
    ['a project id of 65 characters', { ...REAL, MODELARTS_PROJECT_ID: 'a'.repeat(65) }, 'MODELARTS_PROJECT_ID'],
    ['a project id with an underscore', { ...REAL, MODELARTS_PROJECT_ID: 'proj_1' }, 'MODELARTS_PROJECT_ID'],
    ['a project id with a slash', { ...REAL, MODELARTS_PROJECT_ID: 'proj/../x' }, 'MODELARTS_PROJECT_ID'],
    ['a project id with an inner space', { ...REAL, MODELARTS_PROJECT_ID: 'proj 1' }, 'MODELARTS_PROJECT_ID'],
    ['a project id with a dot', { ...REAL, MODELARTS_PROJECT_ID: 'proj.1' }, 'MODELARTS_PROJECT_ID'],
    ['a project id with non-ASCII letters', { ...REAL, MODELARTS_PROJECT_ID: 'projé' }, 'MODELARTS_PROJECT_ID'],
    ['a bad project id in demo mode', { MODELARTS_PROJECT_ID: 'bad id' }, 'MODELARTS_PROJECT_ID'],
    ['a SHUTDOWN_GRACE_MS above ten minutes', { SHUTDOWN_GRACE_MS: '600001' }, 'SHUTDOWN_GRACE_MS'],
    ['a SHUTDOWN_DELAY_MS with a unit', { SHUTDOWN_DELAY_MS: '5s' }, 'SHUTDOWN_DELAY_MS'],
    ['a LIVE_POLL_MS under a second', { LIVE_POLL_MS: '999' }, 'LIVE_POLL_MS'],
    ['a LIVE_POLL_MS above ten minutes', { LIVE_POLL_MS: '600001' }, 'LIVE_POLL_MS'],
    ['a LIVE_MAX_BACKOFF_MS below LIVE_POLL_MS', { LIVE_POLL_MS: '10000', LIVE_MAX_BACKOFF_MS: '5000' }, 'LIVE_MAX_BACKOFF_MS'],
    ['a LIVE_MAX_PER_CALLER of 0', { LIVE_MAX_PER_CALLER: '0' }, 'LIVE_MAX_PER_CALLER'],
    ['a negative LIVE_MAX_SUBSCRIPTIONS', { LIVE_MAX_SUBSCRIPTIONS: '-1' }, 'LIVE_MAX_SUBSCRIPTIONS'],
    ['an http REDIS_URL', { REDIS_URL: 'http://redis:6379' }, 'REDIS_URL'],
    ['a REDIS_URL without a host', { REDIS_URL: 'redis://' }, 'REDIS_URL'],
    ['a REDIS_URL that is not a URL', { REDIS_URL: 'redis-host:6379' }, 'REDIS_URL'],
    ['a REDIS_URL with options in its query', { REDIS_URL: 'redis://r:6379/?tls=false' }, 'REDIS_URL'],
    ['a REDIS_URL with a database that is no number', { REDIS_URL: 'redis://r/zero' }, 'REDIS_URL'],
    ['a REDIS_TIMEOUT_MS under 10 ms', { REDIS_TIMEOUT_MS: '5' }, 'REDIS_TIMEOUT_MS'],
    ['a REDIS_KEY_PREFIX with a space', { REDIS_KEY_PREFIX: 'my app:' }, 'REDIS_KEY_PREFIX'],
    ['a MODELARTS_API that is no version', { MODELARTS_API: 'v3' }, 'MODELARTS_API'],
    ['a MODELARTS_API in capitals', { MODELARTS_API: 'V2' }, 'MODELARTS_API'],
    ['a MODELARTS_V2_OFFSET of another reading', { MODELARTS_V2_OFFSET: 'records' }, 'MODELARTS_V2_OFFSET'],
    ['a LIVE_MAX_SOCKETS_PER_CALLER of 0', { LIVE_MAX_SOCKETS_PER_CALLER: '0' }, 'LIVE_MAX_SOCKETS_PER_CALLER'],
    ['a LIVE_MAX_SOCKETS_PER_CALLER above 10000', { LIVE_MAX_SOCKETS_PER_CALLER: '10001' }, 'LIVE_MAX_SOCKETS_PER_CALLER'],
    ['a TRUST_PROXY host name', { TRUST_PROXY: 'nginx' }, 'TRUST_PROXY'],
    ['a TRUST_PROXY prefix too long for v4', { TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    ['a TRUST_PROXY with an empty entry', { TRUST_PROXY: '10.0.0.1,,10.0.0.2' }, 'TRUST_PROXY'],
    ['a TRUST_PROXY of true (Express\'s, not ours)', { TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    ['OTLP over grpc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    ['an unknown OTLP protocol', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml' }, 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    ['an unknown sampler', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'jaeger_remote' }, 'OTEL_TRACES_SAMPLER'],
    ['a ratio above 1', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '1.5' }, 'OTEL_TRACES_SAMPLER_ARG'],
    ['a negative ratio', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: '-0.1' }, 'OTEL_TRACES_SAMPLER_ARG'],
    ['a ratio that is no number', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER_ARG: 'half' }, 'OTEL_TRACES_SAMPLER_ARG'],
    ['an OTLP endpoint that is not a URL', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    ['an OTLP traces endpoint over grpc://', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://c:4317' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'],
    ['OTLP headers without a value', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'x-key' }, 'OTEL_EXPORTER_OTLP_HEADERS'],
    ['an export batch above the queue', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '20' }, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'],
  ])('rejects %s', (_what, env, variable) => {
    const error = configError(env);
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(variable);
    expect(error.message).toContain(variable);
  });
});

describe('loadConfig reports every problem at once', () => {
  it('lists each bad variable by name in one ConfigError', () => {
    const error = configError({
      PORT: 'eighty',
      UPSTREAM_TIMEOUT_MS: '-5',
      LOG_LEVEL: 'loud',
      MODELARTS_ENDPOINT: 'gopher://modelarts.example.com',
      MODELARTS_PROJECT_ID: 'no spaces please',
      MODELARTS_AUTH: 'token',
    });
    const names = ['PORT', 'UPSTREAM_TIMEOUT_MS', 'LOG_LEVEL', 'MODELARTS_ENDPOINT', 'MODELARTS_PROJECT_ID', 'MODELARTS_TOKEN'];
    expect(error.problems).toHaveLength(names.length);
    for (const name of names) {
      expect(error.problems.some((problem) => problem.includes(name))).toBe(true);
      expect(error.message).toContain(name);
    }
  });

  it.each<[string, Env, number]>([
    ['two', { PORT: 'x', LOG_LEVEL: 'y' }, 2],
    ['three', { PORT: 'x', LOG_LEVEL: 'y', MODELARTS_AUTH: 'z' }, 3],
    ['an endpoint and its missing project id', { MODELARTS_ENDPOINT: 'not a url' }, 2],
  ])('counts %s problems', (_what, env, count) => {
    expect(configError(env).problems).toHaveLength(count);
  });
});

describe('loadConfig never echoes a secret', () => {
  const TOKEN = 'MIIZ-secret-token-value-0123456789';
  const AK = 'QTWAOYTTINDUT2QVKYUC';
  const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';

  it.each<[string, Env, string[]]>([
    ['a token among other problems', { MODELARTS_TOKEN: TOKEN, MODELARTS_AUTH: 'token', PORT: 'x', LOG_LEVEL: 'y' }, [TOKEN]],
    ['a token with an unknown auth mode', { MODELARTS_TOKEN: TOKEN, MODELARTS_AUTH: 'tokn' }, [TOKEN]],
    ['an AK/SK pair among other problems', { MODELARTS_AUTH: 'aksk', MODELARTS_AK: AK, MODELARTS_SK: SK, PORT: 'x' }, [AK, SK]],
    ['an AK without its SK', { MODELARTS_AUTH: 'aksk', MODELARTS_AK: AK }, [AK]],
    ['credentials inside the endpoint URL', { ...REAL, MODELARTS_ENDPOINT: `https://${AK}:${SK}@modelarts.example.com` }, [AK, SK]],
    ['a token in the endpoint query', { ...REAL, MODELARTS_ENDPOINT: `https://modelarts.example.com/?token=${TOKEN}` }, [TOKEN]],
    ['an auth mode that looks like a token', { MODELARTS_AUTH: TOKEN }, [TOKEN]],
    ['a collector key in the OTLP endpoint', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `ftp://c/?key=${TOKEN}` }, [TOKEN]],
    ['a collector key in malformed OTLP headers', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_HEADERS: `x-key=${TOKEN},oops` }, [TOKEN]],
  ])('keeps %s out of the error', (_what, env, secrets) => {
    const error = configError(env);
    for (const secret of secrets) {
      expect(error.message).not.toContain(secret);
      expect(error.problems.join('\n')).not.toContain(secret);
      expect(String(error)).not.toContain(secret);
    }
  });
});

describe('the variable table (--help, docs/configuration.md, .env.example)', () => {
  /** Every name loadConfig looks up, under the settings that make it read the most. */
  function namesRead(): Set<string> {
    const read = new Set<string>();
    const settings: Env[] = [{}, { ...REAL, MODELARTS_AUTH: 'token' }, { ...REAL, MODELARTS_AUTH: 'aksk' }];
    for (const env of settings) {
      const spy = new Proxy(env, {
        get(target, name) {
          if (typeof name === 'string') read.add(name);
          return target[name as string];
        },
      });
      try {
        loadConfig(spy);
      } catch {
        // missing secrets: the names were read all the same
      }
    }
    return read;
  }

  it('lists exactly the variables loadConfig reads', () => {
    expect(VARIABLES.map((v) => v.name).sort()).toEqual([...namesRead()].sort());
  });

  it('prints every variable with its default in --help', () => {
    const text = usage();
    for (const v of VARIABLES) {
      const line = text.split('\n').find((l) => l.trimStart().startsWith(`${v.name} `));
      expect(line, v.name).toBeDefined();
      if (v.default) expect(line).toContain(`[${v.default}]`);
    }
  });

  it.each(['docs/configuration.md', '.env.example'])('is matched by %s', async (file) => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL(`../../${file}`, import.meta.url), 'utf8');
    const missing = VARIABLES.filter((v) => !new RegExp(`\\b${v.name}\\b`).test(text)).map((v) => v.name);
    expect(missing).toEqual([]);
  });

  it('has a row for each variable in docs/configuration.md, with its default', async () => {
    const { readFile } = await import('node:fs/promises');
    const rows = (await readFile(new URL('../../docs/configuration.md', import.meta.url), 'utf8')).split('\n').filter((l) => l.startsWith('| `'));
    const problems = VARIABLES.flatMap((v) => {
      // The first cell names the variable (`PORT` / `HOST` share a row); the second shows a literal default.
      const row = rows.find((r) => (r.split('|')[1] ?? '').includes(`\`${v.name}\``));
      if (row === undefined) return [`${v.name}: no row`];
      const literal = v.default !== '' && !v.default.startsWith('(');
      return literal && !(row.split('|')[2] ?? '').includes(`\`${v.default}\``) ? [`${v.name}: default is not \`${v.default}\``] : [];
    });
    expect(problems).toEqual([]);
  });

  it('shows each default in .env.example, commented out so that copying the file changes nothing', async () => {
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(new URL('../../.env.example', import.meta.url), 'utf8')).split('\n');
    expect(lines.filter((line) => line.trim() !== '' && !line.startsWith('#'))).toEqual([]);
    for (const v of VARIABLES) {
      const literal = v.default.startsWith('(') ? '' : v.default;
      expect(lines, v.name).toContain(`# ${v.name}=${literal}`);
    }
  });
});
