import type { Router, TenantState } from './server.js';

// Placeholder until this domain's endpoints land in the demo tenant.
export type SourceAppState = Map<string, unknown>;

export function createSourceAppState(): SourceAppState {
  return new Map();
}

export function registerSourceAppRoutes(_router: Router, _state: TenantState): void {}
