import { describe, expect, it } from '@jest/globals';
import { path, pathSegment } from '../../src/shared/path.js';

const badInput = expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) });

describe('path segments', () => {
  it('percent-encodes identifiers so each stays one segment', () => {
    expect(pathSegment('a/b c?d#e')).toBe('a%2Fb%20c%3Fd%23e');
    expect(path`connectors/${'my connector'}/translations/${'zh-CN'}`).toBe('connectors/my%20connector/translations/zh-CN');
  });

  it.each(['.', '..', '%2e%2e', '%2E.', '%252e%252e', '../oauth-clients', '..\\x', 'a/../b', ''])(
    'refuses %j',
    (value) => {
      expect(() => pathSegment(value)).toThrow(badInput);
    },
  );

  it('refuses control characters and oversized values', () => {
    expect(() => pathSegment('a\u0000b')).toThrow(badInput);
    expect(() => pathSegment('x'.repeat(600))).toThrow(badInput);
  });

  it('allows dots that are not whole segments', () => {
    expect(pathSegment('my.connector...v2')).toBe('my.connector...v2');
  });
});
