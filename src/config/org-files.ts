import fs from 'node:fs';
import path from 'node:path';
import type { FieldProblem } from '../domain/errors.js';
import { readYaml, validateOrg, type OrgConfig } from './org.js';

/**
 * An organisation kept as one YAML file or as a folder of them (`users.yaml`, `clipper.yaml`…).
 * A folder's files are read in name order and merged section by section: lists (users, services,
 * …) are joined; a mapping (severities, silence_policy…) may be written in one file only. Nothing
 * here knows the sections by name, so a section added to the file format works in folders too.
 *
 * Problems name the file and the path inside it (`services.yaml: services[1].name: duplicate name
 * "API" (also clipper.yaml: services[0])`), so a person finds the line without knowing how the
 * files were joined.
 */

export interface OrgSource {
  /** As given for a single file; the name inside the folder for a folder's files. */
  file: string;
  text: string;
}

export type OrgLoad =
  | { ok: true; folder: boolean; sources: OrgSource[]; value: Record<string, unknown>; config: OrgConfig }
  | { ok: false; folder: boolean; sources: OrgSource[]; problems: FieldProblem[] };

/** A file, or the *.yaml and *.yml files directly in a folder, in name order. */
export function readOrgSources(target: string): { folder: boolean; sources: OrgSource[] } {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return { folder: false, sources: [{ file: target, text: fs.readFileSync(target, 'utf8') }] };
  const names = fs
    .readdirSync(target)
    .filter((n) => /\.ya?ml$/i.test(n) && fs.statSync(path.join(target, n)).isFile())
    .sort();
  return { folder: true, sources: names.map((file) => ({ file, text: fs.readFileSync(path.join(target, file), 'utf8') })) };
}

/** Reads, merges and validates; every problem of every file at once. */
export function loadOrg(target: string): OrgLoad {
  const { folder, sources } = readOrgSources(target);
  if (folder && sources.length === 0) return { ok: false, folder, sources, problems: [{ field: '(folder)', message: `${target} holds no .yaml or .yml files` }] };
  return loadOrgSources(sources, folder);
}

/** Merges and validates sources already read; `folder` prefixes problems with their file. */
export function loadOrgSources(sources: OrgSource[], folder: boolean): OrgLoad {
  const problems: FieldProblem[] = [];
  const docs: { file: string; value: unknown }[] = [];
  for (const s of sources) {
    const read = readYaml(s.text, s.file);
    if (!read.ok) problems.push(...read.problems);
    else docs.push({ file: s.file, value: read.value });
  }
  if (problems.length) return { ok: false, folder, sources, problems };

  const merged = mergeDocuments(docs);
  const v = validateOrg(merged.value);
  const all = [...merged.problems, ...(v.ok ? [] : v.problems.map((p) => (folder ? merged.locate(p) : p)))];
  if (all.length || !v.ok) return { ok: false, folder, sources, problems: all };
  return { ok: true, folder, sources, value: merged.value, config: v.config };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Merged {
  value: Record<string, unknown>;
  problems: FieldProblem[];
  /** Maps a problem about the merged document back to its file. */
  locate(p: FieldProblem): FieldProblem;
}

function mergeDocuments(docs: { file: string; value: unknown }[]): Merged {
  const value: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  /** section -> for each merged index, the file and the index inside it. */
  const origins = new Map<string, { file: string; index: number }[]>();
  /** section -> the file that set it (for mappings) or first listed it. */
  const owner = new Map<string, string>();

  for (const { file, value: doc } of docs) {
    if (doc === null || doc === undefined) continue; // an empty file
    if (!isRecord(doc)) {
      problems.push({ field: `${file}: (root)`, message: 'expected a mapping of sections (users, teams, schedules, escalation_policies, services…)' });
      continue;
    }
    for (const [section, part] of Object.entries(doc)) {
      if (part === null || part === undefined) continue;
      const first = owner.get(section);
      if (Array.isArray(part) && (first === undefined || Array.isArray(value[section]))) {
        const list = (value[section] ??= []) as unknown[];
        const from = origins.get(section) ?? [];
        part.forEach((entry, index) => {
          list.push(entry);
          from.push({ file, index });
        });
        origins.set(section, from);
        if (first === undefined) owner.set(section, file);
        continue;
      }
      if (first !== undefined) {
        problems.push({ field: `${file}: ${section}`, message: `also written in ${first}; write ${section} in one file only` });
        continue;
      }
      value[section] = part;
      owner.set(section, file);
    }
  }

  const localPath = (section: string, index: number, rest: string): string | null => {
    const o = origins.get(section)?.[index];
    return o ? `${o.file}: ${section}[${o.index}]${rest}` : null;
  };
  const locate = (p: FieldProblem): FieldProblem => {
    const listed = /^([A-Za-z_][A-Za-z0-9_-]*)\[(\d+)\](.*)$/.exec(p.field);
    let field: string | null = null;
    if (listed) field = localPath(listed[1] as string, Number(listed[2]), listed[3] as string);
    if (field === null) {
      const section = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(p.field)?.[0];
      const file = section === undefined ? undefined : owner.get(section);
      field = file === undefined ? p.field : `${file}: ${p.field}`;
    }
    // "(also services[0])" in a duplicate's message: the other entry, in its own file.
    const message = p.message.replace(/\(also ([A-Za-z_][A-Za-z0-9_-]*)\[(\d+)\]([^)]*)\)/g, (whole, section: string, index: string, rest: string) => {
      const at = localPath(section, Number(index), rest);
      return at ? `(also ${at})` : whole;
    });
    return { field, message };
  };
  return { value, problems, locate };
}
