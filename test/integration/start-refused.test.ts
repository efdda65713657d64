import { describe, expect, it } from '@jest/globals';
import { startTestGateway } from '../support/gateway.js';
import { recordingLogger } from '../support/recording-logger.js';

describe('a setting refused at start', () => {
  it('leaves no built-in demo tenant listening (an embedding process would stay up for it)', async () => {
    const { logger, records } = recordingLogger();
    await expect(startTestGateway({ SAIL_RESPONSE_CACHE: 'on', SAIL_RESPONSE_CACHE_DOMAINS: 'identities' }, { logger })).rejects.toThrow(
      /SAIL_RESPONSE_CACHE_DOMAINS: "identities" is not a domain/,
    );
    // The tenant was started (its address logged) before the setting was refused, and is closed again.
    const url = records.map((r) => r.fields?.demoTenant).find((value): value is string => typeof value === 'string');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(fetch(`${url}/oauth/token`, { method: 'POST', signal: AbortSignal.timeout(5_000) })).rejects.toThrow(/fetch failed/);
  });
});
