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
  // zod reports unknown keys once, on the object that holds them; name each key instead.
  throw AppError.invalidMany(
    r.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ field: fieldPath([...i.path, k]), message: 'unknown field' })) : [{ field: fieldPath(i.path), message: i.message }],
    ),
  );
}
