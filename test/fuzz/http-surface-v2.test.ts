/**
 * The fuzz suite (suite.ts) against a gateway on ModelArts v2, at a reduced size in npm test:
 * 800 requests of the same families from the same seed (npm run fuzz -- --runs 800 --api v2
 * repeats it; any size runs through http-surface.test.ts).
 */
import { fuzzSettings } from './plan.ts';
import { fuzzSuite } from './suite.ts';

const settings = fuzzSettings({ ...process.env, FUZZ_API: 'v2' });
fuzzSuite({ ...settings, runs: Math.min(settings.runs, 800), out: undefined, report: undefined });
