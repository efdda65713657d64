import type { Router, TenantState } from './server.js';

// Placeholder until this domain's endpoints land in the demo tenant.
export type ConnectorCustomizerState = Map<string, unknown>;

export function createConnectorCustomizerState(): ConnectorCustomizerState {
  return new Map();
}

export function registerConnectorCustomizerRoutes(_router: Router, _state: TenantState): void {}
