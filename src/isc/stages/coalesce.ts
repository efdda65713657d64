import { deadlineWaitingFor } from '../governor.js';
import type { IscAnswer, IscCall, Next, OperationScope, Stage } from '../types.js';

/**
 * Identical GETs in flight at the same time share one ISC call, across operations: same caller
 * key (never across credentials: their rights differ), URL, media type and write stamp (so a read
 * that starts after a write's answer never joins one that started before it). The first caller
 * leads: the shared call goes down the pipeline with its call, so its operation's log line, trace
 * and `scope.calls` show the ISC attempts; the others see the call answered `coalesced`. The
 * shared call has a scope of its own: the longest deadline and the largest 429 wait budget of
 * those waiting (what it spends is deducted from no operation's own budget). Each waiter leaves at
 * its own deadline, and the call is aborted only when the last one has left.
 */
interface Flight {
  answer: Promise<IscAnswer>;
  waiting: number;
  scope: OperationScope;
  abort: AbortController;
}

const keyOf = (call: IscCall): string => [call.callerKey, call.request.accept ?? '', call.url, call.stamp ?? ''].join('\u0000');

export function coalescing(origin: string): Stage {
  const flights = new Map<string, Flight>();

  function launch(key: string, call: IscCall, next: Next): Flight {
    const abort = new AbortController();
    // The shared call's own scope: aborted only when nobody waits; its deadline the latest waiter's.
    const scope: OperationScope = { ...call.scope, signal: abort.signal };
    const flight: Flight = { answer: Promise.resolve(undefined as unknown as IscAnswer), waiting: 0, scope, abort };
    flight.answer = next({ ...call, scope }).finally(() => {
      if (flights.get(key) === flight) flights.delete(key);
    });
    // A failure nobody waits for any more is not an unhandled rejection.
    flight.answer.catch(() => undefined);
    flights.set(key, flight);
    return flight;
  }

  /** Waits for the flight with this caller's own deadline; the last to leave early aborts it, and no one joins it after. */
  function wait(key: string, flight: Flight, scope: OperationScope): Promise<IscAnswer> {
    flight.waiting++;
    flight.scope.deadline = Math.max(flight.scope.deadline, scope.deadline);
    flight.scope.rateLimitWaitLeftMs = Math.max(flight.scope.rateLimitWaitLeftMs, scope.rateLimitWaitLeftMs);
    return new Promise<IscAnswer>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        settled = true;
        scope.signal.removeEventListener('abort', leave);
        flight.waiting--;
      };
      const leave = () => {
        if (settled) return;
        settle();
        if (flight.waiting === 0) {
          if (flights.get(key) === flight) flights.delete(key);
          flight.abort.abort();
        }
        reject(deadlineWaitingFor(origin));
      };
      if (scope.signal.aborted) return leave();
      scope.signal.addEventListener('abort', leave, { once: true });
      // The first of the answer and this waiter's leaving wins.
      const unlessLeft =
        <T>(settleWith: (value: T) => void) =>
        (value: T) => {
          if (settled) return;
          settle();
          settleWith(value);
        };
      flight.answer.then(unlessLeft(resolve), unlessLeft(reject));
    });
  }

  return (call, next) => {
    // Background work (probes, cache refreshes) may be skipped when the budget is short: nobody waits on it.
    if (call.request.method !== 'GET' || call.scope.background) return next(call);
    const key = keyOf(call);
    const joined = flights.get(key);
    if (joined) {
      return wait(key, joined, call.scope).then((answer) => ({ ...answer, coalesced: true }));
    }
    return wait(key, launch(key, call, next), call.scope);
  };
}
