import type { Router, TenantState } from './server.js';

// Placeholder until this domain's endpoints land in the demo tenant.
export type OAuthClientState = Map<string, unknown>;

export function createOAuthClientState(): OAuthClientState {
  return new Map();
}

export function registerOAuthClientRoutes(_router: Router, _state: TenantState): void {}
