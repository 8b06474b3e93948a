import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { orgSchemaText, SCHEMA_FILE, SCHEMA_REGENERATE } from './org-schema.js';

/** Every example organisation under examples/, however it is arranged in folders. */
const EXAMPLES = (fs.readdirSync('examples', { recursive: true }) as string[])
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => path.join('examples', f))
  .sort();

describe('the published JSON Schema of the organisation file', () => {
  it('is the schema the server validates with (regenerate the committed copy when this fails)', () => {
    const committed = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '(missing)';
    if (committed !== orgSchemaText()) expect.fail(`${SCHEMA_FILE} is stale: regenerate it with\n  ${SCHEMA_REGENERATE}`);
  });

  const validate = new Ajv2020({ strict: false, allErrors: true, validateFormats: false }).compile(JSON.parse(orgSchemaText()) as object);

  it.each(EXAMPLES)('accepts %s, which points editors at it on its first line', (file) => {
    const text = fs.readFileSync(file, 'utf8');
    const relative = path.relative(path.dirname(file), SCHEMA_FILE);
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${relative}`);
    expect(validate(YAML.parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('flags what an editor should underline: an unknown field, a wrong type, a bad enum value', () => {
    const file = { users: [{ name: 'alice', email: 'alice@example.com', role: 'boss', pager: 'yes' }], teams: [{ name: 'sre', members: 'alice' }] };
    expect(validate(file)).toBe(false);
    // Each section may also be left empty (null): the branches for that fail too and are left out.
    const errors = (validate.errors ?? []).filter((e) => e.instancePath.split('/').length > 2);
    expect(errors.map((e) => `${e.instancePath} ${e.keyword}`).sort()).toEqual(['/teams/0/members type', '/users/0 additionalProperties', '/users/0/role enum']);
  });
});
