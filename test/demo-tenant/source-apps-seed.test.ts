import { describe, expect, it } from '@jest/globals';
import { createSourceAppState } from '../../src/demo-tenant/source-apps.js';
import { SOURCE_APP_SEED } from '../../src/demo-tenant/seed/source-apps.js';

describe('demo tenant source app seed', () => {
  const { apps, identities, sources, accessProfiles } = SOURCE_APP_SEED;

  it('has about thirty apps with unique ids and names, a mix of states, some assigned to the caller', () => {
    expect(apps.length).toBeGreaterThanOrEqual(25);
    expect(new Set(apps.map((a) => a.id)).size).toBe(apps.length);
    expect(new Set(apps.map((a) => a.name)).size).toBe(apps.length);
    for (const flag of ['enabled', 'provisionRequestEnabled', 'appCenterEnabled', 'matchAllAccounts', 'assignedToCaller'] as const) {
      const on = apps.filter((a) => a[flag]).length;
      expect({ flag, mixed: on > 0 && on < apps.length }).toEqual({ flag, mixed: true });
    }
  });

  it('points only at identities, sources and access profiles that exist', () => {
    const identityIds = new Set(identities.map((i) => i.id));
    const sourceIds = new Set(sources.map((s) => s.id));
    const profileIds = new Set(accessProfiles.map((p) => p.id));
    for (const app of apps) {
      expect(identityIds.has(app.ownerId!)).toBe(true);
      expect(sourceIds.has(app.accountSourceId!)).toBe(true);
      for (const id of app.accessProfiles) expect(profileIds.has(id)).toBe(true);
    }
    for (const ap of accessProfiles) {
      expect(identityIds.has(ap.ownerId)).toBe(true);
      expect(sourceIds.has(ap.sourceId)).toBe(true);
    }
    expect(apps.filter((a) => a.accessProfiles.length > 0).length).toBeGreaterThanOrEqual(20);
  });

  it('has ISC-shaped ids and timestamps, modified never before created', () => {
    for (const item of [...apps, ...accessProfiles]) {
      expect(item.id).toMatch(/^[0-9a-f]{32}$/);
      expect(new Date(item.created).toISOString()).toBe(item.created);
      expect(Date.parse(item.modified)).toBeGreaterThanOrEqual(Date.parse(item.created));
    }
  });

  it('gives every tenant its own copy', () => {
    const a = createSourceAppState();
    const b = createSourceAppState();
    const [id] = a.apps.keys();
    a.apps.get(id)!.name = 'Changed in tenant a';
    a.apps.get(id)!.accessProfiles.push('x');
    expect(b.apps.get(id)!.name).not.toBe('Changed in tenant a');
    expect(b.apps.get(id)!.accessProfiles).not.toContain('x');
    expect(SOURCE_APP_SEED.apps.find((app) => app.id === id)!.name).not.toBe('Changed in tenant a');
  });
});
