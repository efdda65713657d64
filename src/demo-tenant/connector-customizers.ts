import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from './errors.js';
import { collectionPage } from './filters.js';
import { CUSTOMIZER_SEED, DEMO_TENANT_ID, imageIdFor, type CustomizerRecord, type CustomizerVersionRecord } from './seed/connector-customizers.js';
import type { Router } from './router.js';
import { DOMAIN_SCOPES } from './scopes.js';

/** The demo tenant's connector customizers, keyed by id, in creation order. */
export type ConnectorCustomizerState = Map<string, CustomizerRecord>;

export function createConnectorCustomizerState(): ConnectorCustomizerState {
  // Deep copy: every tenant mutates its own records, never the seed.
  return new Map(structuredClone(CUSTOMIZER_SEED).map((c) => [c.id, c]));
}

// ---------------------------------------------------------------------------------------------
// Representations

/**
 * A timestamp in Go's default `time.Time` layout (`2024-01-18 10:47:52.93 +0000 UTC`), the form
 * ISC's spec shows for customizer timestamps: it keeps the gateway's normalisation honest.
 */
export function goTimeString(iso: string): string {
  const [date, rest] = new Date(iso).toISOString().split('T');
  const [clock, fraction] = rest.replace('Z', '').split('.');
  const digits = (fraction ?? '').replace(/0+$/, '');
  return `${date} ${clock}${digits ? `.${digits}` : ''} +0000 UTC`;
}

const current = (c: CustomizerRecord): CustomizerVersionRecord | undefined => c.versions[c.versions.length - 1];

/** `ConnectorCustomizersResponse` (list, get) and `ConnectorCustomizerUpdateResponse` (put). */
function toCustomizerDto(c: CustomizerRecord): Record<string, unknown> {
  const image = current(c);
  return {
    id: c.id,
    name: c.name,
    imageVersion: image?.version ?? 0,
    // A customizer without any version has no image yet.
    ...(image && { imageID: image.imageID }),
    tenantID: c.tenantID,
    created: goTimeString(c.created),
  };
}

/** `ConnectorCustomizerCreateResponse`: no image fields. */
function toCreatedDto(c: CustomizerRecord): Record<string, unknown> {
  return { id: c.id, name: c.name, tenantID: c.tenantID, created: goTimeString(c.created) };
}

/** `ConnectorCustomizerVersionCreateResponse`; its `created` is RFC 3339, as the spec shows it. */
function toVersionDto(c: CustomizerRecord, v: CustomizerVersionRecord): Record<string, unknown> {
  return { customizerID: c.id, imageID: v.imageID, version: v.version, created: v.created };
}

// ---------------------------------------------------------------------------------------------
// Input checks

function find(state: ConnectorCustomizerState, id: string): CustomizerRecord {
  const c = state.get(id);
  if (c === undefined) throw notFound(`Connector customizer with id "${id}" was not found`);
  return c;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Create and update take the same body (`ConnectorCustomizerCreateRequest`): a required name. */
function nameFrom(body: unknown, schema: string): string {
  if (!isObject(body)) throw badRequest(`The request body must be a JSON object (${schema})`);
  const { name } = body;
  if (name === undefined || name === null) throw badRequest('The connector customizer cannot be saved', ['name is required']);
  if (typeof name !== 'string') throw badRequest('The connector customizer cannot be saved', ['name must be a string']);
  if (name.trim() === '') throw badRequest('The connector customizer cannot be saved', ['name must not be empty']);
  return name;
}

// ---------------------------------------------------------------------------------------------
// Routes

/**
 * Scopes per operation (ISC's specification, all 6 customizer operations): the reads (list, get)
 * name only `sp:connector:read`, so the manage scope alone does not let a token read; every change
 * (create, rename, delete, new version) needs `sp:connector:manage`. ISC also limits them to the
 * ORG_ADMIN user level; the demo tenant does not check levels.
 */
const READ = { scopes: [DOMAIN_SCOPES.connectorCustomizers.read] } as const;
const MANAGE = { scopes: [DOMAIN_SCOPES.connectorCustomizers.manage] } as const;

export function registerConnectorCustomizerRoutes(router: Router, state: ConnectorCustomizerState): void {
  const customizers = state;

  // limit and offset only: ISC cannot count customizers, so `count=true` gets no X-Total-Count.
  router.add(
    'GET',
    '/connector-customizers',
    (ctx) => {
      const page = collectionPage([...customizers.values()], ctx.query);
      return { json: page.items.map(toCustomizerDto) };
    },
    READ,
  );

  router.add(
    'POST',
    '/connector-customizers',
    (ctx) => {
      const name = nameFrom(ctx.body, 'ConnectorCustomizerCreateRequest');
      const created: CustomizerRecord = { id: randomUUID(), name, tenantID: DEMO_TENANT_ID, created: new Date().toISOString(), versions: [] };
      customizers.set(created.id, created);
      return { status: 201, json: toCreatedDto(created) };
    },
    { ...MANAGE, body: 'json' },
  );

  router.add('GET', '/connector-customizers/:id', (ctx) => ({ json: toCustomizerDto(find(state, ctx.params.id)) }), READ);

  router.add(
    'PUT',
    '/connector-customizers/:id',
    (ctx) => {
      const name = nameFrom(ctx.body, 'ConnectorCustomizerUpdateRequest');
      const c = find(state, ctx.params.id);
      c.name = name;
      return { json: toCustomizerDto(c) };
    },
    { ...MANAGE, body: 'json' },
  );

  router.add(
    'DELETE',
    '/connector-customizers/:id',
    (ctx) => {
      customizers.delete(find(state, ctx.params.id).id);
      return { status: 204 };
    },
    { ...MANAGE, produces: null },
  );

  router.add(
    'POST',
    '/connector-customizers/:id/versions',
    (ctx) => {
      const c = find(state, ctx.params.id);
      const version = (current(c)?.version ?? 0) + 1;
      const created: CustomizerVersionRecord = { version, imageID: imageIdFor(c.id, version), created: new Date().toISOString() };
      c.versions.push(created);
      return { json: toVersionDto(c, created) };
    },
    MANAGE,
  );
}
