import { describe, expect, it } from 'vitest';
import { hashPassword, SignInLimiter, verifyPassword } from './accounts.js';

describe('password hashing', () => {
  it('verifies the right password and refuses others', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password here')).not.toBe(await hashPassword('same password here'));
  });

  it('treats Unicode forms of one password as the same password', async () => {
    const stored = await hashPassword('pa\u00dfwort-caf\u00e9-long');
    expect(await verifyPassword('pa\u00dfwort-cafe\u0301-long', stored)).toBe(true);
  });

  it('refuses malformed stored hashes instead of throwing', async () => {
    for (const bad of ['', 'plain', 'scrypt$1$2$3', 'bcrypt$16384$8$1$c2FsdA==$aGFzaA==', 'scrypt$0$8$1$c2FsdA==$aGFzaA==', 'scrypt$16384$8$1$c2FsdA==$']) {
      expect(await verifyPassword('anything', bad), bad).toBe(false);
    }
  });
});

describe('SignInLimiter', () => {
  const WINDOW = SignInLimiter.WINDOW_MS;

  it('blocks a login after its failures and lets it in again when the oldest leaves the window', () => {
    const l = new SignInLimiter(3, 100);
    l.fail('Alice@Example.com', '10.0.0.1', 0);
    l.fail('alice@example.com', '10.0.0.2', 1_000);
    expect(l.retryAfter('alice@example.com', '10.0.0.3', 2_000)).toBe(0);
    l.fail(' alice@example.com ', '10.0.0.3', 2_000);
    expect(l.retryAfter('alice@example.com', '10.0.0.9', 3_000)).toBe(WINDOW - 3_000);
    expect(l.retryAfter('bob@example.com', '10.0.0.9', 3_000)).toBe(0);
    expect(l.retryAfter('alice@example.com', '10.0.0.9', WINDOW - 1)).toBe(1);
    expect(l.retryAfter('alice@example.com', '10.0.0.9', WINDOW)).toBe(0);
  });

  it('blocks an address trying many logins', () => {
    const l = new SignInLimiter(100, 3);
    for (const who of ['a', 'b', 'c']) l.fail(who, '10.0.0.1', 0);
    expect(l.retryAfter('d', '10.0.0.1', 10)).toBeGreaterThan(0);
    expect(l.retryAfter('d', '10.0.0.2', 10)).toBe(0);
  });

  it('forgets a login’s failures after it signs in', () => {
    const l = new SignInLimiter(2, 100);
    l.fail('alice', '10.0.0.1', 0);
    l.succeed('alice');
    l.fail('alice', '10.0.0.1', 10);
    expect(l.retryAfter('alice', '10.0.0.1', 20)).toBe(0);
  });
});
