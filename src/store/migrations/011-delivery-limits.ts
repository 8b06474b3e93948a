import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables, not typed rows */

export function migration011(_dialect: Dialect): Migration {
  return {
    async up(_db: Kysely<any>) {},
  };
}
