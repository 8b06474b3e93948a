import { z } from 'zod';
import YAML from 'yaml';
import type { App } from '../../app.js';
import { applyOrgWithDiff } from '../../commands/plan-org.js';
import { listAudit } from '../../commands/audit.js';
import { exportOrg, mutateOrg, type OrgFile } from '../../commands/export-org.js';
import { createToken, listTokens, revokeToken } from '../../commands/tokens.js';
import { parseOrgYaml, validateOrg } from '../../config/org.js';
import { AppError } from '../../domain/errors.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import { presentScheduleLive, SCHEDULE_READ_ONLY } from './schedules.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';
import type { Role } from '../../commands/tokens.js';

type Section = Exclude<keyof OrgFile, 'severities' | 'silence_policy' | 'channels' | 'inhibit_rules' | 'incident_policy' | 'postmortems' | 'response_targets' | 'comp_time' | 'review' | 'maintenance_policy' | 'maintenance_windows' | 'routes' | 'status_page'>;

const SECTIONS: { section: Section; path: string; noun: string; role: Role }[] = [
  { section: 'users', path: 'users', noun: 'user', role: 'admin' },
  { section: 'teams', path: 'teams', noun: 'team', role: 'manager' },
  { section: 'schedules', path: 'schedules', noun: 'schedule', role: 'manager' },
  { section: 'escalation_policies', path: 'escalation-policies', noun: 'escalation policy', role: 'manager' },
  { section: 'services', path: 'services', noun: 'service', role: 'manager' },
];

const Entry = z.looseObject({ name: z.string().min(1) }).describe('The entry in the organisation file format (see /api/v1/config/schema).');
const Named = z.strictObject({ name: z.string().min(1) });
const Apply = z.strictObject({
  yaml: z.string().optional().describe('The organisation file as YAML text.'),
  config: z.record(z.string(), z.unknown()).optional().describe('The organisation file as JSON.'),
  dry_run: z.boolean().default(false).describe('Show the plan without changing anything.'),
  diff: z.boolean().default(false).describe('Also say what changed field by field: fields [{path, before, after}] on each change.'),
});
const TokenBody = z.strictObject({
  name: z.string().min(1).max(100),
  role: z.enum(['viewer', 'responder', 'manager', 'admin']),
  user: z.string().min(1).optional().describe('Act as this user on timelines.'),
});
const AuditQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), before: z.coerce.number().int().optional() });

export function orgRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;

  for (const { section, path, noun, role } of SECTIONS) {
    const find = (file: OrgFile, name: string) => (file[section] as { name: string }[]).findIndex((e) => e.name === name);
    const decorate = async (e: Record<string, unknown>, one: boolean): Promise<Record<string, unknown>> =>
      section === 'services' ? withIntegrationUrls(ctx.publicUrl, e) : section === 'schedules' ? { ...e, ...(await presentScheduleLive(ctx, e.name as string, one)) } : e;
    // What GET serves can be sent back as it is: the integration URLs and a schedule's on-call
    // state it adds are read-only.
    const entry = (body: unknown) => {
      const e = parse(Entry, body);
      if (section === 'schedules') return Object.fromEntries(Object.entries(e).filter(([k]) => !SCHEDULE_READ_ONLY.includes(k))) as typeof e;
      return section === 'services' ? withoutIntegrationUrls(e) : e;
    };

    r.add({
      method: 'GET',
      url: `/api/v1/${path}`,
      summary: `List ${noun === 'escalation policy' ? 'escalation policies' : `${noun}s`}`,
      tag: path,
      role: 'viewer',
      handler: async () => ({ [section]: await Promise.all(((await exportOrg(ctx.store.db))[section] as Record<string, unknown>[]).map((e) => decorate(e, false))) }),
    });
    r.add({
      method: 'GET',
      url: `/api/v1/${path}/:name`,
      summary: `One ${noun}`,
      tag: path,
      role: 'viewer',
      handler: async (req) => {
        const { name } = parse(Named, req.params);
        const file = await exportOrg(ctx.store.db);
        const i = find(file, name);
        if (i < 0) throw AppError.notFound(`${noun} "${name}"`);
        return decorate(file[section][i] as Record<string, unknown>, true);
      },
    });
    r.add({
      method: 'POST',
      url: `/api/v1/${path}`,
      summary: `Create a ${noun}`,
      tag: path,
      role,
      body: Entry,
      handler: async (req, reply) => {
        const body = entry(req.body);
        const result = await mutateOrg(ctx, actorOf(req), section, (file) => {
          if (find(file, body.name) >= 0) throw new AppError('conflict', `a ${noun} named "${body.name}" already exists; use PUT /api/v1/${path}/${encodeURIComponent(body.name)} to change it`);
          (file[section] as unknown[]).push(body);
          return file[section].length - 1;
        });
        void reply.status(201);
        return { changes: result.changes, generated_keys: result.generatedKeys };
      },
    });
    r.add({
      method: 'PUT',
      url: `/api/v1/${path}/:name`,
      summary: `Replace a ${noun}`,
      tag: path,
      role,
      body: Entry,
      handler: async (req) => {
        const { name } = parse(Named, req.params);
        const body = entry(req.body);
        const result = await mutateOrg(ctx, actorOf(req), section, (file) => {
          const i = find(file, name);
          if (i < 0) throw AppError.notFound(`${noun} "${name}"`);
          (file[section] as unknown[])[i] = body;
          return i;
        });
        return { changes: result.changes, generated_keys: result.generatedKeys };
      },
    });
    r.add({
      method: 'DELETE',
      url: `/api/v1/${path}/:name`,
      summary: `Delete a ${noun}`,
      tag: path,
      role,
      handler: async (req) => {
        const { name } = parse(Named, req.params);
        const result = await mutateOrg(ctx, actorOf(req), section, (file) => {
          const i = find(file, name);
          if (i < 0) throw AppError.notFound(`${noun} "${name}"`);
          (file[section] as unknown[]).splice(i, 1);
          return null;
        });
        return { changes: result.changes };
      },
    });
  }

  r.add({
    method: 'GET',
    url: '/api/v1/config',
    summary: 'Export the organisation in the file format (YAML with ?format=yaml)',
    tag: 'config',
    role: 'viewer',
    query: z.strictObject({ format: z.enum(['json', 'yaml']).default('json') }),
    handler: async (req, reply) => {
      const q = parse(z.strictObject({ format: z.enum(['json', 'yaml']).default('json') }), req.query);
      const file = await exportOrg(ctx.store.db);
      if (q.format === 'yaml') {
        void reply.type('application/yaml');
        return YAML.stringify(file);
      }
      return file;
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/config/apply',
    summary: 'Apply an organisation file, all or nothing (dry_run shows the plan)',
    tag: 'config',
    role: 'admin',
    body: Apply,
    handler: async (req) => {
      const b = parse(Apply, req.body);
      if ((b.yaml === undefined) === (b.config === undefined)) throw AppError.invalid('yaml', 'send exactly one of yaml (text) or config (object)');
      let config;
      if (b.yaml !== undefined) config = parseOrgYaml(b.yaml);
      else {
        const v = validateOrg(b.config);
        if (!v.ok) throw AppError.invalidMany(v.problems);
        config = v.config;
      }
      // The diff is always worked out, for the audit log; answered only when asked for.
      const result = await applyOrgWithDiff(ctx, config, actorOf(req), { dryRun: b.dry_run });
      const changes = b.diff ? result.changes : result.changes.map(({ fields: _fields, ...c }) => c);
      return { dry_run: result.dryRun, changes, generated_keys: result.generatedKeys };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/tokens',
    summary: 'List API tokens (never the tokens themselves)',
    tag: 'tokens',
    role: 'admin',
    handler: async () => ({
      tokens: (await listTokens(ctx.store.db)).map((t) => ({ ...t, created_at: iso(t.created_at), last_used_at: iso(t.last_used_at), revoked_at: iso(t.revoked_at) })),
    }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tokens',
    summary: 'Create an API token; the token is shown once',
    tag: 'tokens',
    role: 'admin',
    body: TokenBody,
    handler: async (req, reply) => {
      const b = parse(TokenBody, req.body);
      const t = await createToken(ctx, actorOf(req), { name: b.name, role: b.role, user: b.user ?? null });
      void reply.status(201);
      return { id: t.id, name: t.name, role: t.role, token: t.token };
    },
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/tokens/:id',
    summary: 'Revoke an API token',
    tag: 'tokens',
    role: 'admin',
    handler: async (req) => {
      const { id } = parse(z.strictObject({ id: z.string().min(1) }), req.params);
      await revokeToken(ctx, actorOf(req), id);
      app.auth.forget();
      return { revoked: id };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/audit',
    summary: 'The audit log, newest first',
    tag: 'audit',
    role: 'manager',
    query: AuditQuery,
    handler: async (req) => {
      const q = parse(AuditQuery, req.query);
      const rows = await listAudit(ctx.store.db, q.limit, q.before);
      return {
        entries: rows.map((e) => ({
          id: e.id,
          at: iso(e.at),
          actor: { kind: e.actor_kind, id: e.actor_id, name: e.actor_name },
          surface: e.surface,
          action: e.action,
          entity: { kind: e.entity_kind, id: e.entity_id, name: e.entity_name },
          detail: e.detail ? (JSON.parse(e.detail) as unknown) : null,
        })),
      };
    },
  });
}

/** Drops the `url` that withIntegrationUrls adds to each integration; other fields are left to validation. */
export function withoutIntegrationUrls<T extends Record<string, unknown>>(service: T): T {
  if (!Array.isArray(service.integrations)) return service;
  const integrations = (service.integrations as unknown[]).map((i) =>
    typeof i === 'object' && i !== null && !Array.isArray(i) && 'url' in i ? Object.fromEntries(Object.entries(i).filter(([k]) => k !== 'url')) : i,
  );
  return { ...service, integrations };
}

/** Integration URLs a sender is configured with; the key itself is only known to whoever holds it. */
export function withIntegrationUrls(publicUrl: string, service: Record<string, unknown>): Record<string, unknown> {
  const base = publicUrl.replace(/\/$/, '');
  const integrations = (service.integrations as { name: string; type: string }[] | undefined) ?? [];
  return {
    ...service,
    integrations: integrations.map((i) => ({
      ...i,
      url:
        i.type === 'events_v2'
          ? `${base}/v2/enqueue (routing_key = the integration key)`
          : i.type === 'alertmanager'
            ? `${base}/integrations/alertmanager/<key>`
            : i.type === 'heartbeat'
              ? `${base}/integrations/heartbeat/<key>`
              : `${base}/integrations/generic/<key>`,
    })),
  };
}
