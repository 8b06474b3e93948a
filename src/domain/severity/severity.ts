import { AppError } from '../errors.js';

/**
 * Severities are an ordered list the organisation defines, most severe first. Each has aliases so
 * that Mahavishnu's P0–P3, Clipper's P1–P3, DeltaCrown's critical/high/warning and PagerDuty's
 * critical/error/warning/info all map onto one scale. An unknown value is an error unless the
 * organisation configured a default for unknown values: never a silent guess.
 */
export type Urgency = 'high' | 'low';

export interface SeverityDef {
  name: string;
  aliases: string[];
  /** High urgency pages through the high-urgency notification rules. */
  urgency: Urgency;
}

export interface SeverityScale {
  levels: SeverityDef[];
  /** Used when an alert carries no severity at all. */
  defaultSeverity: string;
  /** Used when an alert carries a value no level or alias knows; null = reject it. */
  unknownSeverity: string | null;
}

export const DEFAULT_SCALE: SeverityScale = {
  levels: [
    { name: 'critical', aliases: ['p0', 'p1', 'sev1', 'fatal', 'page'], urgency: 'high' },
    { name: 'high', aliases: ['error', 'p2', 'sev2', 'major'], urgency: 'high' },
    { name: 'medium', aliases: ['warning', 'warn', 'p3', 'sev3', 'minor'], urgency: 'low' },
    { name: 'low', aliases: ['p4', 'sev4'], urgency: 'low' },
    { name: 'info', aliases: ['informational', 'information', 'none', 'p5', 'sev5'], urgency: 'low' },
  ],
  defaultSeverity: 'critical',
  unknownSeverity: null,
};

export type SeverityResolution = { ok: true; severity: string } | { ok: false; message: string };

export class SeverityMap {
  private readonly byKey = new Map<string, string>();
  readonly scale: SeverityScale;

  constructor(scale: SeverityScale) {
    this.scale = scale;
    for (const level of scale.levels) {
      this.byKey.set(level.name.toLowerCase(), level.name);
    }
    for (const level of scale.levels) {
      for (const alias of level.aliases) {
        const key = alias.toLowerCase();
        if (!this.byKey.has(key)) this.byKey.set(key, level.name);
      }
    }
  }

  /** Maps an incoming value (PagerDuty severity, Alertmanager `severity` label…) onto the scale. */
  resolve(raw: string | null | undefined): SeverityResolution {
    if (raw === null || raw === undefined || raw.trim() === '') {
      return { ok: true, severity: this.scale.defaultSeverity };
    }
    const hit = this.byKey.get(raw.trim().toLowerCase());
    if (hit) return { ok: true, severity: hit };
    if (this.scale.unknownSeverity) return { ok: true, severity: this.scale.unknownSeverity };
    return {
      ok: false,
      message: `unknown severity "${raw}"; use one of ${this.names().join(', ')} or an alias`,
    };
  }

  resolveOrThrow(field: string, raw: string | null | undefined): string {
    const r = this.resolve(raw);
    if (!r.ok) throw AppError.invalid(field, r.message);
    return r.severity;
  }

  names(): string[] {
    return this.scale.levels.map((l) => l.name);
  }

  has(name: string): boolean {
    return this.scale.levels.some((l) => l.name === name);
  }

  /** 0 = most severe. */
  rank(name: string): number {
    const i = this.scale.levels.findIndex((l) => l.name === name);
    return i < 0 ? this.scale.levels.length : i;
  }

  urgency(name: string): Urgency {
    return this.scale.levels.find((l) => l.name === name)?.urgency ?? 'high';
  }
}
