// The emulator's public surface: import from here, not from the files behind it. The emulator
// itself imports nothing from the gateway (only node: built-ins).
export { defaultJobs, generateJobs } from './dataset.ts';
export type { EmulatorJob } from './dataset.ts';
export type { Fault, Trickle } from './faults.ts';
export { jobsAt } from './motion.ts';
export { phaseOf, secondaryPhaseOf, uuidOf } from './phases.ts';
export type { MotionPlan } from './motion.ts';
export type { Motion } from './moving-index.ts';
export type { RecordedRequest } from './record.ts';
export { createEmulator } from './server.ts';
export type { Emulator, EmulatorOptions } from './server.ts';
export type { ErrorBodyShape } from './wire.ts';
