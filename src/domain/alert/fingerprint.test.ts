import { describe, expect, it } from 'vitest';
import { alertmanagerFingerprint } from './fingerprint.js';

describe('alertmanagerFingerprint', () => {
  // Every vector from research note §1.7, each verified against a live Alertmanager 0.25.
  const vectors: Array<[Record<string, string>, string]> = [
    [{ alertname: 'TestAlert', cluster: 'c1', instance: 'i1', severity: 'warning' }, '0ed1ad47457f0548'],
    [{ alertname: 'PDAlert', severity: 'critical', team: 'pd' }, '63991fa4088a50fd'],
    [{ alertname: 'ClusterDown', cluster: 'c1', severity: 'critical' }, '521acff8d685ef26'],
    [{ alertname: 'ResolveMe', instance: 'a', job: 'j' }, 'ba91b72eedf10b5b'],
    [{ alertname: 'ResolveMe', instance: 'b', job: 'j' }, 'a9e777af9264ed08'],
    [{ alertname: 'PD3', cluster: 'c9', severity: 'critical', team: 'pd' }, 'c9da72777ba2d05e'],
    [{ alertname: 'Src', severity: 'critical' }, 'e5be4d7b98cca1be'],
    [{}, 'cbf29ce484222325'],
  ];

  it.each(vectors)('matches Alertmanager for %o', (labels, expected) => {
    expect(alertmanagerFingerprint(labels)).toBe(expected);
  });

  it('does not depend on the order the labels were written in', () => {
    const a = alertmanagerFingerprint({ severity: 'warning', instance: 'i1', cluster: 'c1', alertname: 'TestAlert' });
    expect(a).toBe('0ed1ad47457f0548');
  });

  it('always prints 16 lowercase hex digits, zero-padded', () => {
    for (const [labels] of vectors) {
      expect(alertmanagerFingerprint(labels)).toMatch(/^[0-9a-f]{16}$/);
    }
    for (let i = 0; i < 200; i++) {
      expect(alertmanagerFingerprint({ alertname: `A${i}` })).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('hashes names and values as UTF-8 bytes', () => {
    // Expected value computed independently (Python, bytes of str.encode()).
    expect(alertmanagerFingerprint({ alertname: 'Disk', mount: '/var/ℓog', note: 'ünïcødé 🔥' })).toBe('070e05df4d191b91');
  });

  it('sorts names by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FF61 sorts before U+1F600 in UTF-8 but after it in UTF-16; the wrong order gives 451b5f0f4ffedc84.
    expect(alertmanagerFingerprint({ '\u{1F600}': 'y', '\uFF61': 'x' })).toBe('612ae568b074b5de');
  });

  it('separates name from value so moving a character across the boundary changes the hash', () => {
    expect(alertmanagerFingerprint({ ab: 'c' })).not.toBe(alertmanagerFingerprint({ a: 'bc' }));
  });

  it('treats a label with an empty value as different from no label (callers drop empty labels first)', () => {
    expect(alertmanagerFingerprint({ a: '' })).not.toBe(alertmanagerFingerprint({}));
  });
});
