import { builder } from './builder.ts';
import './scalars.ts';
import './training-jobs.ts';
import './training-job-counts.ts';

/** The gateway's schema; types keep the order they are defined in (DESIGN.md reads that way). */
export const schema = builder.toSchema({ sortSchema: false });
