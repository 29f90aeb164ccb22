/**
 * Entity tags for GET answers (RFC 9110 §8.8.3, §13.1.2): a client that re-asks for a page it
 * already holds gets 304 and no bytes. The tag is a hash of the identity body and nothing else,
 * so every replica gives the same tag for the same answer, and a client moving between them
 * keeps its copy. compression.ts decides which answers carry one.
 */
import { hash } from 'node:crypto';

/**
 * An answer depends on the caller's credential: a browser's own cache may keep it, revalidating
 * each time, and a shared cache must never.
 */
export const CACHE_CONTROL = 'private, no-cache';
/** The request headers an answer varies on, beside Accept-Encoding. */
export const CREDENTIAL_VARY = 'Authorization, X-Auth-Token';

// 22 characters of base64url: 132 bits, far past any chance of two answers a client holds
// sharing a tag, and a third shorter than the whole digest.
const TAG_LENGTH = 22;

/**
 * The strong tag of one representation: the hash of the identity body, with the coding as a
 * suffix on a compressed one. Compressed bytes are never hashed: they may differ between
 * replicas on different zlib versions while the answer is the same, and hashing the identity
 * bytes lets a 304 skip compressing altogether.
 */
export function entityTag(identity: Buffer | string, coding: string | undefined): string {
  const digest = hash('sha256', identity, 'base64url').slice(0, TAG_LENGTH);
  return coding === undefined ? `"${digest}"` : `"${digest}-${coding}"`;
}

/**
 * Whether an If-None-Match header holds `tag` (quoted, strong), so that the answer is 304: `*`,
 * or a list with an entry equal to it under the weak comparison, W/ or not. Our tags hold no
 * comma, so splitting the list on commas cannot make a foreign tag match.
 */
export function matchesIfNoneMatch(header: string | null | undefined, tag: string): boolean {
  if (header === null || header === undefined) return false;
  for (const entry of header.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '*' || trimmed === tag || (trimmed.startsWith('W/') && trimmed.slice(2) === tag)) return true;
  }
  return false;
}
