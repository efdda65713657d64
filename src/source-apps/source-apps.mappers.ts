// Placeholder until the source apps domain lands.
export type SourceAppModel = Record<string, unknown>;
export type SourceAppPageModel = Record<string, unknown>;
export type AccessProfileModel = Record<string, unknown>;
export type AccessProfilePageModel = Record<string, unknown>;
