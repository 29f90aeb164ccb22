/** Which token goes upstream for a caller (DESIGN.md "Credentials"), and who a caller is. */
import { createHash } from 'node:crypto';
import type { AuthMode } from '../config.ts';

export interface TokenPolicy {
  mode: AuthMode;
  /** MODELARTS_TOKEN in token mode. */
  token?: string | undefined;
  /** Demo mode: a token supplied when the caller has none, so GraphiQL works with no set-up. */
  demoToken?: string | undefined;
}

interface HeaderReader {
  get(name: string): string | null;
}

const BEARER = /^Bearer[ \t]+(.*)$/i;

/**
 * The caller's token: X-Auth-Token wins over Authorization; only the Bearer scheme is read;
 * an empty token counts as none. The caller's Authorization header itself never goes upstream.
 */
export function callerToken(headers: HeaderReader): string | undefined {
  const direct = headers.get('x-auth-token')?.trim();
  if (direct) return direct;
  const bearer = BEARER.exec(headers.get('authorization')?.trim() ?? '')?.[1]?.trim();
  return bearer || undefined;
}

/** The token to send upstream, or undefined when there is none (UNAUTHENTICATED). */
export function upstreamToken(policy: TokenPolicy, headers: HeaderReader): string | undefined {
  if (policy.mode === 'token') return policy.token;
  // The gateway signs with its own keys; this only names the credential (caches hash it).
  if (policy.mode === 'aksk') return 'aksk';
  return callerToken(headers) ?? policy.demoToken;
}

/**
 * Who a caller is, for per-caller limits: a hash of its own credential (never the credential
 * itself), or its address when it sent none. The gateway's own token (token and aksk modes) is
 * no caller's identity.
 */
export function callerIdentity(credential: string | undefined, address: string | undefined): string {
  return credential !== undefined ? createHash('sha256').update(credential).digest('base64url') : `ip:${address ?? '?'}`;
}
