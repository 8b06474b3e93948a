import YAML from 'yaml';
import { z } from 'zod';
import type { App } from '../../app.js';
import { exportOrg, type OrgFile } from '../../commands/export-org.js';
import { orgSchemaText } from '../../config/org-schema.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

const ExportQuery = z.strictObject({ format: z.enum(['yaml', 'json']).default('yaml').describe('yaml (default) or json.') });

/**
 * The organisation as a file to keep in git, and the JSON Schema editors check that file with.
 *
 * Export is open to viewers: the file names secrets only by environment variable. Integration keys
 * are never in it, for admins neither: the server keeps only their hashes (the key is shown once,
 * when generated), and an integration written without `key` or `key_env` keeps the key it has, so
 * the export still applies as a no-op. The YAML says so in its header.
 */
export function orgConfigRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;

  r.add({
    method: 'GET',
    url: '/api/v1/config/export',
    summary: 'The organisation as an organisation file (YAML; JSON with ?format=json); applying it changes nothing',
    tag: 'config',
    role: 'viewer',
    query: ExportQuery,
    handler: async (req, reply) => {
      const q = parse(ExportQuery, req.query);
      const file = await exportOrg(ctx.store.db);
      if (q.format === 'json') return file;
      void reply.type('application/yaml; charset=utf-8');
      return orgFileYaml(file, ctx.publicUrl);
    },
  });

  // Public, like the schema file in the npm package: editors fetch it without a token.
  r.add({
    method: 'GET',
    url: '/api/v1/config/schema',
    summary: 'JSON Schema of the organisation file, for editors (no authentication)',
    tag: 'config',
    role: 'viewer',
    auth: 'none',
    handler: async (_req, reply) => {
      void reply.type('application/schema+json; charset=utf-8');
      return orgSchemaText();
    },
  });
}

/** The export as YAML, with a header that points editors at the schema and says what is left out. */
export function orgFileYaml(file: OrgFile, publicUrl: string): string {
  const base = publicUrl.replace(/\/$/, '');
  const doc = new YAML.Document(file);
  doc.commentBefore = [
    ` yaml-language-server: $schema=${base}/api/v1/config/schema`,
    ` Watchkeeper organisation exported from ${base}. Applying it unchanged changes nothing.`,
    ' Integration keys are not exported: the server keeps only their hashes. An integration',
    ' without key or key_env keeps the key it has. Secrets are named by environment variable.',
    ' Overrides, silences and passwords are operational data and not part of this file.',
  ].join('\n');
  YAML.visit(doc, {
    // Lists of plain values on one line, as people write them: `participants: [alice, bob]`.
    Seq(_key, node) {
      if (node.items.length > 0 && node.items.every((i) => YAML.isScalar(i))) node.flow = true;
    },
    // Times and dates quoted, as people write them: a YAML 1.1 reader takes 22:00 for a number.
    Scalar(_key, node) {
      if (typeof node.value === 'string' && /^(\d[\d:.T+-]*|y|n|yes|no|on|off)$/i.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
