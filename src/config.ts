/**
 * Configuration, read from a plain record (normally process.env) by a pure function.
 * Only this file knows environment variable names. Every problem is reported at once,
 * naming the variable and never echoing a secret's value.
 */

export type AuthMode = 'passthrough' | 'token' | 'aksk';

export interface Config {
  /** PORT, default 4000. */
  port: number;
  /** HOST, default 0.0.0.0. */
  host: string;
  /** MODELARTS_ENDPOINT; undefined means demo mode (embedded emulator). */
  endpoint: string | undefined;
  /** MODELARTS_PROJECT_ID; required unless demo mode. */
  projectId: string;
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
  /** UPSTREAM_MAX_BODY_BYTES, default 4 MiB: a larger upstream body is cut off (UPSTREAM_ERROR). */
  upstreamMaxBodyBytes: number;
  /** UPSTREAM_BREAKER_THRESHOLD, default 10 consecutive unavailability failures; 0 disables. */
  breakerThreshold: number;
  /** UPSTREAM_BREAKER_COOLOFF_MS, default 5000: how long the upstream is left alone. */
  breakerCoolOffMs: number;
  /** MAX_REQUEST_BYTES, default 100 KiB: the largest GraphQL request body accepted. */
  maxRequestBytes: number;
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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** The project id used in demo mode, where the emulator accepts any. */
export const DEMO_PROJECT_ID = 'demo-project';

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
  const upstreamMaxBodyBytes = int('UPSTREAM_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 1024 ** 3);
  const breakerThreshold = int('UPSTREAM_BREAKER_THRESHOLD', 10, 0, 1000);
  const breakerCoolOffMs = int('UPSTREAM_BREAKER_COOLOFF_MS', 5000, 1, 600_000);
  const maxRequestBytes = int('MAX_REQUEST_BYTES', 100 * 1024, 1024, 64 * 1024 * 1024);
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
    port, host, endpoint, projectId, auth, token, ak, sk, securityToken, upstreamTimeoutMs, upstreamMaxAttempts,
    upstreamMaxBodyBytes, breakerThreshold, breakerCoolOffMs, maxRequestBytes, cacheTtlMs,
    cacheMaxEntries, limits, maxTokens, introspection, graphiql, corsOrigins, rateLimit,
    persistedOperations, persistedMode, logLevel,
  };
}
