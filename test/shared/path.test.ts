import { describe, expect, it } from '@jest/globals';
import { ROUTE_TEMPLATES } from '../../src/domains.js';
import { routeTemplates, UNKNOWN_ROUTE } from '../../src/isc/routes.js';
import { path, pathSegment } from '../../src/shared/path.js';
import { badInput } from '../support/errors.js';

const routeTemplate = routeTemplates(ROUTE_TEMPLATES);

describe('path segments', () => {
  it('percent-encodes identifiers so each stays one segment', () => {
    expect(pathSegment('a/b c?d#e')).toBe('a%2Fb%20c%3Fd%23e');
    expect(path`connectors/${'my connector'}/translations/${'zh-CN'}`).toBe('connectors/my%20connector/translations/zh-CN');
  });

  it.each(['.', '..', '%2e%2e', '%2E.', '%252e%252e', '../oauth-clients', '..\\x', 'a/../b', ''])('refuses %j', (value) => {
    expect(() => pathSegment(value)).toThrow(badInput);
  });

  it('refuses control characters and oversized values', () => {
    expect(() => pathSegment('a\u0000b')).toThrow(badInput);
    expect(() => pathSegment('x'.repeat(600))).toThrow(badInput);
  });

  it('allows dots that are not whole segments', () => {
    expect(pathSegment('my.connector...v2')).toBe('my.connector...v2');
  });
});

describe('routeTemplate', () => {
  it.each([
    ['connectors', 'connectors'],
    [path`connectors/${'a/b c'}`, 'connectors/{scriptName}'],
    [path`connectors/${'ad'}/source-config`, 'connectors/{scriptName}/source-config'],
    [path`connectors/${'ad'}/translations/${'fr'}`, 'connectors/{scriptName}/translations/{locale}'],
    [path`connector-customizers/${'c1'}/versions`, 'connector-customizers/{id}/versions'],
    ['source-apps/all', 'source-apps/all'],
    ['source-apps/assigned', 'source-apps/assigned'],
    ['source-apps/bulk-update', 'source-apps/bulk-update'],
    [path`source-apps/${'all'}x`, 'source-apps/{id}'],
    [path`source-apps/${'s1'}/access-profiles/bulk-remove`, 'source-apps/{id}/access-profiles/bulk-remove'],
    [path`oauth-clients/${'o1'}`, 'oauth-clients/{id}'],
    ['connectors?filters=x', 'connectors'],
    ['identities/x', UNKNOWN_ROUTE],
    ['source-apps//access-profiles', UNKNOWN_ROUTE],
  ])('%s → %s', (upstreamPath, route) => {
    expect(routeTemplate(upstreamPath)).toBe(route);
  });
});
