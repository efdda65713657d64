// The HTTP edge lives in src/http/. What is left here: the types src/observability still imports
// from this path, until they move to the ground floor.
export type { RouteHandler, ServerObservability } from './http/types.js';
