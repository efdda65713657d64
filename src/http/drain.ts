import { httpRefusal } from '../shared/errors.js';
import type { Refuse } from './respond.js';
import type { Route } from './types.js';

/** Shutdown's first step (gateway.ts): unready, then new GraphQL requests refused while running ones finish. */
export interface DrainGate {
  /** Refuses every request that reaches it while draining; the routes before it still answer. */
  route: Route;
  draining: () => boolean;
  markShuttingDown: () => void;
}

export function drainGate(refuse: Refuse): DrainGate {
  let shuttingDown = false;
  return {
    route: (_req, res) => {
      if (!shuttingDown) return false;
      // Draining: operations already running finish; new ones go to another replica.
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '1');
      refuse(res, httpRefusal('SHUTTING_DOWN', 'the gateway is shutting down'));
      return true;
    },
    draining: () => shuttingDown,
    markShuttingDown: () => {
      shuttingDown = true;
    },
  };
}
