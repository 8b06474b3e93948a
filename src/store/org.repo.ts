import type { EscalationPolicySpec } from '../domain/escalation/policy.js';
import type { Layer } from '../domain/schedule/schedule.js';
import { DEFAULT_SCALE, SeverityMap, type SeverityScale } from '../domain/severity/severity.js';
import type { Conn } from './db.js';
import type { SilencePolicy } from '../domain/silence/policy.js';
import type { InhibitRule } from '../domain/silence/inhibition.js';
import type { RouteRule } from '../domain/routing/rules.js';
import { loadRoutes } from './routes.repo.js';
import type { MaintenanceWindow } from '../domain/maintenance/window.js';
import type { MaintenancePolicy } from '../domain/maintenance/policy.js';
import { liveWindows } from './maintenance.repo.js';
import type { ContactMethodsTable, IntegrationKeysTable, NotificationRulesTable, NotifyChannelsTable, ServicesTable, UsersTable } from './schema.js';
import { DEFAULT_HANDOFF_REMINDER_MINUTES, type StoredSchedule } from './schedule.repo.js';
import { getSetting } from './settings.repo.js';
import { parseStoredSlackRouting, type OrgServiceSlack } from '../config/org-slack.js';

/**
 * The organisation's configuration, read once and cached per process. Ingest and the engine read it
 * on every alert, so it lives in memory; every change bumps `config_version`, and a process reloads
 * when it sees a new version (checked once per ingest batch and engine tick).
 */
export interface OrgSnapshot {
  version: string;
  severities: SeverityMap;
  users: Map<string, UsersTable>;
  usersByName: Map<string, UsersTable>;
  contactMethods: Map<string, ContactMethodsTable>;
  /** Rules per user, ordered by delay; rules of paused methods are left out. */
  rulesByUser: Map<string, NotificationRulesTable[]>;
  teamMembers: Map<string, { userId: string; role: string }[]>;
  teams: Map<string, { id: string; name: string; preferDifferentTimeZones: boolean }>;
  /** `specJson` is the stored text, reused as each new alert's policy snapshot. */
  policies: Map<string, { id: string; name: string; spec: EscalationPolicySpec; specJson: string }>;
  /** Layers only: overrides are operational data, read per query (store/schedule.repo.ts). */
  schedules: Map<string, StoredSchedule>;
  schedulesByName: Map<string, StoredSchedule>;
  services: Map<string, ServicesTable>;
  /** Slack channel routing by service id; services without routing are absent. */
  slackRouting: Map<string, OrgServiceSlack>;
  integrationsByHash: Map<string, IntegrationKeysTable>;
  /** Teams channels and webhooks escalation levels page directly, by id. */
  channels: Map<string, NotifyChannelsTable>;
  /** Alertmanager-style inhibition rules from the org file. */
  inhibitRules: InhibitRule[];
  /** Routing rules from the org file, in order. */
  routes: RouteRule[];
  /** From the org file's silence_policy section; null: no limits. */
  silencePolicy: SilencePolicy | null;
  /**
   * Maintenance windows not ended early, from the file and the API: every new alert is checked
   * against them, so they are cached here (a window change bumps the config version).
   */
  maintenanceWindows: MaintenanceWindow[];
  /** From the org file's maintenance_policy section; null: no limits. */
  maintenancePolicy: MaintenancePolicy | null;
}

export async function loadOrg(conn: Conn): Promise<OrgSnapshot> {
  const version = (await getSetting(conn, 'config_version')) ?? '0';
  const scaleJson = await getSetting(conn, 'severities');
  const scale: SeverityScale = scaleJson ? (JSON.parse(scaleJson) as SeverityScale) : DEFAULT_SCALE;
  const silencePolicy = JSON.parse((await getSetting(conn, 'silence_policy')) ?? 'null') as SilencePolicy | null;
  const channels = await conn.selectFrom('notify_channels').selectAll().execute();
  const inhibitRules = JSON.parse((await getSetting(conn, 'inhibit_rules')) ?? '[]') as InhibitRule[];
  const routes = await loadRoutes(conn);
  const maintenanceWindows = await liveWindows(conn);
  const maintenancePolicy = JSON.parse((await getSetting(conn, 'maintenance_policy')) ?? 'null') as MaintenancePolicy | null;
  const [users, cms, rules, teams, members, policies, services, keys, schedules] = await Promise.all([
    conn.selectFrom('users').selectAll().execute(),
    conn.selectFrom('contact_methods').selectAll().execute(),
    conn.selectFrom('notification_rules').selectAll().orderBy('delay_minutes').orderBy('position').execute(),
    conn.selectFrom('teams').select(['id', 'name', 'prefer_different_time_zones']).execute(),
    conn.selectFrom('team_members').selectAll().orderBy('position').execute(),
    conn.selectFrom('escalation_policies').selectAll().execute(),
    conn.selectFrom('services').selectAll().execute(),
    conn.selectFrom('integration_keys').selectAll().execute(),
    conn.selectFrom('schedules').selectAll().execute(),
  ]);
  const storedSchedules = schedules.map(
    (s): StoredSchedule => {
      const spec = JSON.parse(s.spec_json) as { layers: Layer[]; maxShiftHours?: number; handoffReminderMinutes?: number; coverage?: string };
      return {
        id: s.id,
        name: s.name,
        teamId: s.team_id,
        role: s.role,
        timeZone: s.time_zone,
        layers: spec.layers,
        maxShiftHours: spec.maxShiftHours ?? null,
        handoffReminderMinutes: spec.handoffReminderMinutes ?? DEFAULT_HANDOFF_REMINDER_MINUTES,
        coverage: spec.coverage === 'partial' ? 'partial' : 'full',
      };
    },
  );
  const rulesByUser = new Map<string, NotificationRulesTable[]>();
  // A paused method's rules are left out: paging and notices both go by the rules, so neither uses it.
  const paused = new Set(cms.filter((c) => Number(c.paused) === 1).map((c) => c.id));
  for (const r of rules) {
    if (paused.has(r.contact_method_id)) continue;
    const list = rulesByUser.get(r.user_id) ?? [];
    list.push(r);
    rulesByUser.set(r.user_id, list);
  }
  const teamMembers = new Map<string, { userId: string; role: string }[]>();
  for (const m of members) {
    const list = teamMembers.get(m.team_id) ?? [];
    list.push({ userId: m.user_id, role: m.role });
    teamMembers.set(m.team_id, list);
  }
  return {
    version,
    severities: new SeverityMap(scale),
    users: new Map(users.map((u) => [u.id, u])),
    usersByName: new Map(users.map((u) => [u.name, u])),
    contactMethods: new Map(cms.map((c) => [c.id, c])),
    rulesByUser,
    teamMembers,
    teams: new Map(teams.map((t) => [t.id, { id: t.id, name: t.name, preferDifferentTimeZones: Number(t.prefer_different_time_zones) === 1 }])),
    policies: new Map(policies.map((p) => [p.id, { id: p.id, name: p.name, spec: JSON.parse(p.spec) as EscalationPolicySpec, specJson: p.spec }])),
    schedules: new Map(storedSchedules.map((s) => [s.id, s])),
    schedulesByName: new Map(storedSchedules.map((s) => [s.name, s])),
    services: new Map(services.map((s) => [s.id, s])),
    slackRouting: new Map(
      services.flatMap((s) => {
        const r = parseStoredSlackRouting(s.slack);
        return r ? [[s.id, r] as const] : [];
      }),
    ),
    integrationsByHash: new Map(keys.map((k) => [k.key_hash, k])),
    silencePolicy,
    channels: new Map(channels.map((c) => [c.id, c])),
    inhibitRules,
    routes,
    maintenanceWindows,
    maintenancePolicy,
  };
}

/**
 * How stale a hot path (ingest batches, delivery) may see another process's configuration change.
 * Changes made in this process invalidate the cache at once.
 */
export const HOT_PATH_ORG_AGE_MS = 250;

export class OrgCache {
  private snapshot: OrgSnapshot | null = null;
  private loading: Promise<OrgSnapshot> | null = null;
  private checkedAt = -Infinity;

  /**
   * The snapshot if its version was confirmed within `maxAgeMs` (wall-clock), else a checked one.
   * Request authentication uses this: a key removed by another process stops working within
   * `maxAgeMs`; changes made in this process invalidate the cache at once.
   */
  async recent(conn: Conn, maxAgeMs: number): Promise<OrgSnapshot> {
    if (this.snapshot && performance.now() - this.checkedAt < maxAgeMs) return this.snapshot;
    return this.get(conn);
  }

  /** Returns the cached snapshot, reloading it when the stored config version moved on. */
  async get(conn: Conn): Promise<OrgSnapshot> {
    this.checkedAt = performance.now();
    const version = (await getSetting(conn, 'config_version')) ?? '0';
    if (this.snapshot && this.snapshot.version === version) return this.snapshot;
    if (!this.loading) {
      this.loading = loadOrg(conn).finally(() => {
        this.loading = null;
      });
    }
    this.snapshot = await this.loading;
    return this.snapshot;
  }

  /** The last snapshot without a version check, for hot paths that checked moments ago. */
  peek(): OrgSnapshot | null {
    return this.snapshot;
  }

  invalidate(): void {
    this.snapshot = null;
    this.checkedAt = -Infinity;
  }
}
