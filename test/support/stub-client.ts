/**
 * An upstream client answering one page the way a test scripts it, with v1's status groups and
 * counts on top (src/upstream/fan-out.ts): what a test needs of UpstreamClient besides the call.
 */
import { countStatusesV1, pageForStatusesV1, plannedCallsV1 } from '../../src/upstream/fan-out.ts';
import type { UpstreamClient } from '../../src/upstream/client.ts';

export function stubClient(listTrainingJobs: UpstreamClient['listTrainingJobs'], timeoutMs = 10_000): UpstreamClient {
  return {
    listTrainingJobs,
    pageForStatuses: (query, codes, run) => pageForStatusesV1(query, codes, run, timeoutMs),
    countStatuses: (filter, run) => countStatusesV1(filter, run, timeoutMs),
    plannedCalls: plannedCallsV1,
    maxCallsPerOperation: 100,
    close: async () => {},
  };
}
