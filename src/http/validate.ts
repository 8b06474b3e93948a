import type { z } from 'zod';
import { AppError } from '../domain/errors.js';

/** Formats a zod path the way our errors name fields: `targets[0].user`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || 'body';
}

/** Parses a request body or query with a zod schema; every problem names its field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  throw AppError.invalidMany(r.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })));
}
