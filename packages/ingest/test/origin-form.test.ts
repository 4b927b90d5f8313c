import { describe, expect, it } from 'vitest';
import { isOriginForm, ORIGIN_MAX_LENGTH } from '../src/http/origin-form';

describe('isOriginForm: what a browser can send as Origin', () => {
  it('takes scheme://host[:port] (names, punycode, IPv4, IPv6) and null', () => {
    for (const origin of ['https://shop.example', 'http://127.0.0.1:5173', 'https://xn--bcher-kva.example', 'http://[::1]:8080', 'HTTPS://Shop.Example', 'null']) {
      expect(isOriginForm(origin), origin).toBe(true);
    }
  });

  it('refuses a path, other schemes, quotes, joined lines and anything longer than a DNS name allows', () => {
    const longest = `https://${'a'.repeat(253)}:65535`;
    expect(longest).toHaveLength(ORIGIN_MAX_LENGTH);
    expect(isOriginForm(longest)).toBe(true);
    for (const origin of ['https://shop.example/', 'file://', 'chrome-extension://abc', '"'.repeat(100), 'https://a.example; https://b.example', `https://${'a'.repeat(254)}:65535`, 'https://shop.example:123456', '']) {
      expect(isOriginForm(origin), origin).toBe(false);
    }
  });
});
