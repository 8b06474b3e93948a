/**
 * The field-level difference between two organisation files in the exported format (snake_case,
 * names instead of ids), for `watchkeeper plan` and the audit log of an apply.
 *
 * Comparing two exports, rather than the file with the database rows, makes the diff generic: a
 * section the exporter writes is diffed without this module knowing it, and the paths are the
 * file's own (`layers["night"].turn`), so a person finds the line they changed.
 *
 * Lists are compared three ways:
 *  - every entry a mapping with a unique `name`: matched by name (`integrations["events"]`), so
 *    inserting an entry does not show every later one as changed; if the entries both sides have
 *    are in another order (layers and levels are ordered by priority), the whole list is shown
 *    before and after instead, since a reorder has no smaller honest description;
 *  - only plain values (participants, severities): the whole list before and after;
 *  - other mappings (levels, targets, rules): by position.
 */

export type PathSegment = { key: string } | { index: number } | { name: string };

export interface FieldDiff {
  path: PathSegment[];
  /** Absent when the field was added. */
  before?: unknown;
  /** Absent when the field was removed. */
  after?: unknown;
}

/** One changed field of a planned change, its path relative to the changed thing. */
export interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every difference between two file-shaped values, leaves first found first. */
export function diffValues(before: unknown, after: unknown, path: PathSegment[] = []): FieldDiff[] {
  if (same(before, after)) return [];
  if (isRecord(before) && isRecord(after)) {
    const out: FieldDiff[] = [];
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))];
    for (const key of keys) {
      const at = [...path, { key }];
      // A whole list section written on one side only (exports leave out empty ones) is compared
      // with an empty list, so each entry is its own change.
      if (path.length === 0 && (Array.isArray(before[key]) || Array.isArray(after[key])) && !(key in before && key in after)) {
        out.push(...diffValues(before[key] ?? [], after[key] ?? [], at));
        continue;
      }
      if (!(key in after)) out.push({ path: at, before: before[key] });
      else if (!(key in before)) out.push({ path: at, after: after[key] });
      else out.push(...diffValues(before[key], after[key], at));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (namedList(before) && namedList(after)) return diffNamed(before, after, path);
    if (before.every(isRecord) && after.every(isRecord) && (before.length > 0 || after.length > 0)) {
      const out: FieldDiff[] = [];
      for (let i = 0; i < Math.max(before.length, after.length); i++) {
        const at = [...path, { index: i }];
        if (i >= after.length) out.push({ path: at, before: before[i] });
        else if (i >= before.length) out.push({ path: at, after: after[i] });
        else out.push(...diffValues(before[i], after[i], at));
      }
      return out;
    }
  }
  return [{ path, before, after }];
}

function namedList(list: unknown[]): list is { name: string }[] {
  if (!list.every((e) => isRecord(e) && typeof e.name === 'string')) return false;
  return new Set(list.map((e) => (e as { name: string }).name)).size === list.length;
}

function diffNamed(before: { name: string }[], after: { name: string }[], path: PathSegment[]): FieldDiff[] {
  const afterNames = new Set(after.map((e) => e.name));
  const beforeNames = new Set(before.map((e) => e.name));
  const keptBefore = before.filter((e) => afterNames.has(e.name)).map((e) => e.name);
  const keptAfter = after.filter((e) => beforeNames.has(e.name)).map((e) => e.name);
  if (!same(keptBefore, keptAfter)) return [{ path, before, after }];
  const out: FieldDiff[] = [];
  const byName = new Map(after.map((e) => [e.name, e]));
  for (const b of before) {
    const a = byName.get(b.name);
    const at = [...path, { name: b.name }];
    if (a === undefined) out.push({ path: at, before: b });
    else out.push(...diffValues(b, a, at));
  }
  for (const a of after) if (!beforeNames.has(a.name)) out.push({ path: [...path, { name: a.name }], after: a });
  return out;
}

/** `[{key:'layers'},{name:'night'},{key:'turn'}]` -> `layers["night"].turn`; `''` for no segments. */
export function formatDiffPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if ('index' in seg) out += `[${seg.index}]`;
    else if ('name' in seg) out += `[${JSON.stringify(seg.name)}]`;
    else out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg.key) ? (out ? '.' : '') + seg.key : `[${JSON.stringify(seg.key)}]`;
  }
  return out;
}

/** A change the apply recorded, and what the diff adds to it. */
export interface ChangeLike {
  action: 'create' | 'update' | 'delete';
  kind: string;
  name: string;
}

export type ChangeWithFields<C extends ChangeLike> = C & { fields: FieldChange[] };

/**
 * Attaches each difference between the exports before and after an apply to the change the apply
 * recorded for it: the change whose place in the file (`services["X"].integrations["y"]` for
 * integration "X/y") is the longest prefix of the difference's path. A difference no recorded
 * change claims becomes a change of its own, named after its section, so a section this module
 * does not know still shows up. A created or deleted thing lists its top-level fields.
 */
export function attachFields<C extends ChangeLike>(changes: C[], before: Record<string, unknown>, after: Record<string, unknown>): ChangeWithFields<C>[] {
  const diffs = diffValues(before, after);
  const anchored = changes.map((c) => ({ change: c, anchor: anchorOf(c, before, after), fields: [] as FieldChange[] }));
  const extra = new Map<string, { change: ChangeLike; anchor: PathSegment[]; fields: FieldChange[] }>();
  for (const d of diffs) {
    let best: { anchor: PathSegment[]; fields: FieldChange[] } | null = null;
    for (const a of anchored) if (a.anchor && isPrefix(a.anchor, d.path) && (!best || a.anchor.length > best.anchor.length)) best = { anchor: a.anchor, fields: a.fields };
    if (!best) {
      const own = ownChange(d, before, after);
      const key = formatDiffPath(own.anchor);
      const hit = extra.get(key) ?? { ...own, fields: [] };
      extra.set(key, hit);
      best = hit;
    }
    best.fields.push(...relative(d, best.anchor.length));
  }
  return [
    ...anchored.map((a) => ({ ...a.change, fields: a.fields })),
    ...[...extra.values()].map((e) => ({ ...(e.change as C), fields: e.fields })),
  ];
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => same(seg, path[i]));
}

/** A difference relative to its change; the whole thing created or deleted becomes its fields. */
function relative(d: FieldDiff, depth: number): FieldChange[] {
  const rest = d.path.slice(depth);
  if (rest.length === 0) {
    const whole = 'after' in d ? d.after : d.before;
    const created = !('before' in d);
    const deleted = !('after' in d);
    if ((created || deleted) && isRecord(whole)) {
      return Object.entries(whole).map(([key, value]) => ({ path: formatDiffPath([{ key }]), ...(created ? { after: value } : { before: value }) }));
    }
  }
  return [{ path: formatDiffPath(rest), ...('before' in d ? { before: d.before } : {}), ...('after' in d ? { after: d.after } : {}) }];
}

/** Where a recorded change lives in the file, or null when it cannot be placed. */
function anchorOf(c: ChangeLike, before: Record<string, unknown>, after: Record<string, unknown>): PathSegment[] | null {
  if (c.kind === 'integration') {
    // Integrations are recorded as "<service>/<integration>"; a service name may hold a slash too.
    const services = [...listOf(before.services), ...listOf(after.services)];
    const service = services.map((s) => s.name).find((n) => typeof n === 'string' && c.name.startsWith(`${n}/`)) as string | undefined;
    return service === undefined ? null : [{ key: 'services' }, { name: service }, { key: 'integrations' }, { name: c.name.slice(service.length + 1) }];
  }
  const section = sectionOf(c.kind, before, after);
  if (section === null) return null;
  const value = section in after ? after[section] : before[section];
  return Array.isArray(value) && c.kind !== section ? [{ key: section }, { name: c.name }] : [{ key: section }];
}

/** The file section a change kind belongs to: `user` -> users, `escalation_policy` -> escalation_policies. */
function sectionOf(kind: string, before: Record<string, unknown>, after: Record<string, unknown>): string | null {
  const candidates = [kind, `${kind}s`, kind.replace(/y$/, 'ies')];
  return candidates.find((k) => k in before || k in after) ?? null;
}

const listOf = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

/** A change for a difference no recorded change claims: the named entry of its section, or the section. */
function ownChange(d: FieldDiff, before: Record<string, unknown>, after: Record<string, unknown>): { change: ChangeLike; anchor: PathSegment[] } {
  const [first, second] = d.path;
  const section = first && 'key' in first ? first.key : '(root)';
  if (second && 'name' in second) {
    const anchor = [first as PathSegment, second];
    const exists = (file: Record<string, unknown>) => listOf(file[section]).some((e) => e.name === second.name);
    const action = !exists(before) ? 'create' : !exists(after) ? 'delete' : 'update';
    return { change: { action, kind: section.replace(/ies$/, 'y').replace(/s$/, ''), name: second.name }, anchor };
  }
  const action = !(section in before) ? 'create' : !(section in after) ? 'delete' : 'update';
  return { change: { action, kind: section, name: section }, anchor: first ? [first] : [] };
}

/** `"text"`, `5`, `["a","b"]`, `{"name":"x"}`: exact and on one line. */
export function formatDiffValue(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}

/** The lines `plan` prints under a change: `~ escalation_policy: "a" → "b"`, `+ layers[1]: {…}`. */
export function formatFieldChange(f: FieldChange): string {
  const at = f.path || '(whole)';
  if (!('before' in f)) return `+ ${at}: ${formatDiffValue(f.after)}`;
  if (!('after' in f)) return `- ${at}: ${formatDiffValue(f.before)}`;
  return `~ ${at}: ${formatDiffValue(f.before)} → ${formatDiffValue(f.after)}`;
}
