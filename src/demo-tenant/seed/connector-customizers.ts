import { createHash } from 'node:crypto';

/**
 * Seed connector customizers of the demo tenant: the kind of hooks a tenant writes around its
 * SaaS connectors. Deterministic (fixed ids and dates, image ids derived by hashing), so tests
 * can rely on them. Names and values are the demo tenant's own.
 */

/** One image version of a customizer's code. */
export interface CustomizerVersionRecord {
  version: number;
  imageID: string;
  /** RFC 3339. */
  created: string;
}

/** One customizer as the demo tenant stores it; its current image is the last version. */
export interface CustomizerRecord {
  id: string;
  name: string;
  tenantID: string;
  /** RFC 3339. */
  created: string;
  versions: CustomizerVersionRecord[];
}

/** The demo tenant's id, as ISC reports it in `tenantID`. */
export const DEMO_TENANT_ID = '8c2f4a61d93e4b7f9e0a5c13b7d8e246';

/** A 32-hex-digit image id, derived from the customizer and version so it is stable across runs. */
export function imageIdFor(customizerId: string, version: number): string {
  return createHash('sha256').update(`${customizerId}:${version}`).digest('hex').slice(0, 32);
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface Row {
  id: string;
  name: string;
  created: string;
  /** Days after `created` at which each version was built (version 1, 2, …). */
  versionDays: number[];
}

const ROWS: Row[] = [
  {
    id: '3f6c2a9e-8b41-4d7c-9a05-1e2b7c4d8f10',
    name: 'ad-password-policy-hook',
    created: '2023-09-14T08:21:37.412Z',
    versionDays: [0.02, 6.3, 41.7, 118.25],
  },
  {
    id: 'a81d4f27-5c3e-4b9a-8e62-0f7b3d19c5a4',
    name: 'workday-termination-normalizer',
    created: '2023-11-02T15:04:11.087Z',
    versionDays: [1.1, 29.6],
  },
  {
    id: '5b0e93c4-27fa-4e18-b6d1-9c8a4f2e7d63',
    name: 'servicenow-group-prefixer',
    created: '2024-01-18T10:47:52.930Z',
    versionDays: [0.4, 3.9, 57.2],
  },
  { id: 'd27f6b18-94c0-4a3e-8f5b-2e61c0a9b7d5', name: 'salesforce-profile-mapper', created: '2024-02-27T13:30:05.601Z', versionDays: [2.75] },
  { id: '0c9a7e53-61b2-4f8d-a4c7-5d3e8b1f2a96', name: 'okta-mfa-status-enricher', created: '2024-04-09T07:12:44.258Z', versionDays: [] },
  {
    id: '7e4b1c8d-3a92-4d6f-b0e5-8f1a2c7d9e34',
    name: 'sap-role-expiry-guard',
    created: '2024-05-21T09:58:19.774Z',
    versionDays: [0.1, 1.2, 8.5, 15.05, 33.8, 90.4],
  },
  { id: 'f3a52d90-7c16-4b8e-9d24-6a0e1b5c3f87', name: 'github-team-sync-filter', created: '2024-07-03T16:25:38.049Z', versionDays: [0.9, 12.3] },
  { id: '96d0b3e7-4f25-4c1a-8b9e-3c7f5a2d1e08', name: 'entra-license-annotator', created: '2024-08-30T11:03:27.316Z', versionDays: [] },
];

function buildRecord(row: Row): CustomizerRecord {
  const start = Date.parse(row.created);
  return {
    id: row.id,
    name: row.name,
    tenantID: DEMO_TENANT_ID,
    created: row.created,
    versions: row.versionDays.map((days, i) => ({
      version: i + 1,
      imageID: imageIdFor(row.id, i + 1),
      created: new Date(start + Math.round(days * DAY_MS)).toISOString(),
    })),
  };
}

export const CUSTOMIZER_SEED: readonly CustomizerRecord[] = ROWS.map(buildRecord);
