import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import type { ContactMethodType } from './org.js';

/**
 * Checks and normalises a contact method's address for its type; one place for the org file, the
 * API and the profile page. Returns the address to store, or the problem in operators' words.
 */
export function checkContactAddress(type: ContactMethodType, address: string): { ok: true; address: string } | { ok: false; error: string } {
  const value = address.trim();
  switch (type) {
    case 'email':
      return z.email().safeParse(value).success ? { ok: true, address: value } : { ok: false, error: 'not a valid email address' };
    case 'webhook':
    case 'teams':
      return isHttpUrl(value) ? { ok: true, address: value } : { ok: false, error: 'must be an http:// or https:// URL' };
    case 'slack':
      // A Slack member id (U…/W…), as shown under "Copy member ID" in a Slack profile.
      return /^[UW][A-Z0-9]{2,20}$/.test(value) ? { ok: true, address: value } : { ok: false, error: 'must be a Slack member ID such as U024BE7LH (Slack profile → ⋯ → Copy member ID)' };
    case 'sms':
    case 'voice': {
      const phone = parsePhoneNumberFromString(value);
      if (!phone || !phone.isValid()) return { ok: false, error: 'not a valid phone number; use international format such as +44 20 7946 0958' };
      return { ok: true, address: phone.number };
    }
  }
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
