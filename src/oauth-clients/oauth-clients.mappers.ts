// Placeholder until the OAuth clients domain lands.
export type OAuthClientModel = Record<string, unknown>;
export type CreatedOAuthClientModel = Record<string, unknown>;
