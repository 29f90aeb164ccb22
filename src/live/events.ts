/**
 * What travels from a poller to the subscribers of its key, and how a changed page is told
 * from an unchanged one. Events are plain data (a page record, or an error's code, message and
 * upstream info), so that a bus between replicas can carry them as they are.
 */
import { createHash } from 'node:crypto';
import type { TrainingJobPage } from '../domain.ts';
import type { GatewayError } from '../errors.ts';

/** A page that differs from the one before it. */
export interface PageEvent {
  kind: 'page';
  page: TrainingJobPage;
  fingerprint: string;
}

export type LiveEvent =
  | PageEvent
  /**
   * A failure the subscribers must hear of. `final` (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
   * BAD_USER_INPUT) ends every stream of the key; otherwise (a transient failure before any page)
   * it ends only the streams still waiting for their first event, since a stream that has a page
   * is better served by the next successful poll.
   */
  | { kind: 'error'; error: GatewayError; final: boolean };

/**
 * A digest of every field of the page: two polls that answer the same page give the same
 * fingerprint. The mapping builds records with a fixed key order, so JSON text is canonical.
 */
export function fingerprint(page: TrainingJobPage): string {
  return createHash('sha256').update(JSON.stringify(page)).digest('base64url');
}

export function pageEvent(page: TrainingJobPage): PageEvent {
  return { kind: 'page', page, fingerprint: fingerprint(page) };
}
