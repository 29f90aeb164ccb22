/**
 * An upstream client answering each call the way a test scripts it, with an upstream's pages,
 * status groups and counts on top (src/upstream/dialect.ts; v1 unless told): what a test needs
 * of UpstreamClient besides the call.
 */
import { clientOf, type UpstreamClient } from '../../src/upstream/client.ts';
import type { UpstreamDialect } from '../../src/upstream/dialect.ts';
import { v1 } from '../../src/upstream/v1/index.ts';

export function stubClient(send: UpstreamClient['send'], timeoutMs = 10_000, dialect: UpstreamDialect = v1): UpstreamClient {
  return clientOf(dialect, send, { timeoutMs });
}
