import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string over [A-Za-z0-9]; rejection sampling keeps every character equally likely. */
export function randomAlnum(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALNUM[b % 62];
    }
  }
  return out;
}

/** Integration keys are 32 characters, as PagerDuty clients expect of a routing key. */
export const newIntegrationKey = (): string => randomAlnum(32);

export const newApiToken = (): string => `wk_${randomAlnum(40)}`;

export const newActionToken = (): string => randomBytes(24).toString('base64url');
