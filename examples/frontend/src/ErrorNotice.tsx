import { useEffect, useState } from 'react';
import type { CombinedError } from '@urql/core';
import { describeError, HINTS } from './errors.js';

/** Whole seconds left until `seconds` after `restartOn` last changed; counts down to 0. */
function useSecondsLeft(seconds: number | undefined, restartOn: unknown): number {
  const [left, setLeft] = useState(seconds ?? 0);
  useEffect(() => {
    if (seconds === undefined || seconds <= 0) {
      setLeft(0);
      return;
    }
    const deadline = Date.now() + seconds * 1000;
    const tick = (): void => {
      const remaining = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      setLeft(remaining);
      if (remaining === 0) window.clearInterval(timer);
    };
    const timer = window.setInterval(tick, 250);
    tick();
    return () => window.clearInterval(timer);
  }, [seconds, restartOn]);
  return left;
}

/**
 * An error from the gateway, with what ISC support and the gateway's logs need (code, ISC's status
 * and tracking id, the request id). Retry is offered only where trying again could help (not for
 * ISC's 403 or bad input); RATE_LIMITED says how long to wait, and the retry stays disabled until then.
 */
export function ErrorNotice({ error, onRetry }: { error: CombinedError; onRetry?: () => void }) {
  const report = describeError(error);
  const secondsLeft = useSecondsLeft(report.retryAfter, error);
  return (
    <div className="error" role="alert" data-testid="error">
      <ul>
        {report.details.map((detail, i) => (
          <li key={i}>
            <strong data-testid="error-code">{detail.code}</strong>
            {detail.httpStatus !== undefined && (
              <span>
                {' '}
                ISC answered <span data-testid="error-http-status">{detail.httpStatus}</span>
              </span>
            )}
            {detail.path && <span className="muted"> at {detail.path}</span>}
            <div data-testid="error-message">{detail.message}</div>
            {detail.trackingId && (
              <div>
                ISC tracking id: <code data-testid="error-tracking-id">{detail.trackingId}</code>
              </div>
            )}
            {HINTS[detail.code] && <div className="muted">{HINTS[detail.code]}</div>}
          </li>
        ))}
      </ul>
      {report.requestId && (
        <div className="muted">
          Request id: <code data-testid="error-request-id">{report.requestId}</code>
        </div>
      )}
      {report.retryAfter !== undefined && (
        <p data-testid="rate-limited">
          Too many requests: wait <span data-testid="retry-after">{report.retryAfter}</span> s before trying again.
        </p>
      )}
      {onRetry && report.retryable && (
        <button type="button" data-testid="retry-button" disabled={secondsLeft > 0} onClick={onRetry}>
          {secondsLeft > 0 ? `Retry in ${secondsLeft} s` : 'Retry'}
        </button>
      )}
    </div>
  );
}
