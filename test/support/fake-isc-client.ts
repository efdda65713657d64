import type { IscClient, UpstreamRequest, UpstreamResponse } from '../../src/isc/client.js';
import { compose } from '../../src/isc/pipeline.js';
import { operationReads } from '../../src/isc/stages/operation-reads.js';

/**
 * An ISC client whose answers come from `respond`, under the real per-operation reads stage (each
 * GET once per operation, writes forget, primed reads answered): for unit tests of domains.
 */
export function fakeIscClient(respond: (request: UpstreamRequest) => UpstreamResponse | Promise<UpstreamResponse>): IscClient {
  const send = compose([operationReads], async (call) => ({ rawLength: 0, ...(await respond(call.request)) }));
  return {
    send: async <T>(credential: Parameters<IscClient['send']>[0], request: UpstreamRequest, scope: Parameters<IscClient['send']>[2]) =>
      (await send({
        credential,
        request,
        url: request.path,
        headers: {},
        body: undefined,
        scope,
        route: request.path,
        rateKey: 'client:fake',
        callerKey: 'client:fake',
        attempt: 1,
        watches: [],
      })) as UpstreamResponse<T>,
    rateKey: () => 'client:fake',
    callerKey: () => 'client:fake',
    breakerClosed: () => true,
    breakerState: () => 'closed',
  };
}
