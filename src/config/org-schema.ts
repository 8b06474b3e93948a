import { orgJsonSchema } from './org.js';

/**
 * The JSON Schema of the organisation file as text: what `watchkeeper schema` prints,
 * GET /api/v1/config/schema serves and schema/watchkeeper-org.schema.json holds (a test fails
 * when that file is stale). Generated from the zod schema that validates the file, so an editor
 * and the server agree on what a field may hold.
 */
export function orgSchemaText(): string {
  return `${JSON.stringify(orgJsonSchema(), null, 2)}\n`;
}

/** Where the committed copy lives, and the command that rewrites it. */
export const SCHEMA_FILE = 'schema/watchkeeper-org.schema.json';
export const SCHEMA_REGENERATE = `npm run build && node bin/watchkeeper.js schema -o ${SCHEMA_FILE}`;
