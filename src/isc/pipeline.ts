import type { IscCall, Next, Stage } from './types.js';

/** Chains the stages, first on top: each hands the call to the next, the last to `bottom`. An absent stage (switched off) is left out. */
export function compose(stages: readonly (Stage | undefined)[], bottom: Next): Next {
  return stages.reduceRight<Next>((next, stage) => (stage ? (call: IscCall) => stage(call, next) : next), bottom);
}
