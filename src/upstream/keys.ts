import { createHash } from 'node:crypto';

/**
 * The one name of a page everything shared across requests uses: the page cache (in memory and
 * in Redis) and the live pollers. A SHA-256 of credential, project and the page's exact name on
 * its upstream (a call's request, or a page's pageKey), so that no credential is ever kept or
 * stored, and two credentials never meet.
 */
export function sharedKey(token: string, projectId: string, name: string): string {
  return createHash('sha256').update(`${token}\n${projectId}\n${name}`).digest('base64url');
}
