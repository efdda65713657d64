import type { IscCall, Next, Stage } from './types.js';

/** Chains the stages, first on top: each hands the call to the next, the last to `bottom`. */
export function compose(stages: readonly Stage[], bottom: Next): Next {
  return stages.reduceRight<Next>((next, stage) => (call: IscCall) => stage(call, next), bottom);
}
