import fs from 'node:fs';
import type { Command } from 'commander';
import type { Client } from '../client/client.js';
import { formatFieldChange, type FieldChange } from '../config/org-diff.js';
import { loadOrg, loadOrgSources, type OrgLoad } from '../config/org-files.js';
import { orgJsonSchema } from '../config/org.js';
import { orgSchemaText } from '../config/org-schema.js';
import { CliError, EXIT, printJson, withConnection, type ConnectionOptions } from './output.js';

/**
 * Organisation as code: `validate` (offline), `plan` (the diff against a server), `apply`,
 * `export` (the server's organisation as a file that applies as a no-op) and `schema` (the JSON
 * Schema editors autocomplete the file with). `-f` takes one YAML file or a folder of them.
 *
 * Exit codes: validate and apply follow the CLI's (0 done, 2 invalid file, 1 other errors);
 * plan follows `terraform plan -detailed-exitcode` so a pipeline can branch on drift: 0 nothing
 * to change, 2 changes to apply, 1 anything went wrong (an invalid file included).
 */

type MakeClient = (opts: ConnectionOptions) => Client;

interface Change {
  action: 'create' | 'update' | 'delete';
  kind: string;
  name: string;
  fields?: FieldChange[];
}
interface GeneratedKey {
  service: string;
  integration: string;
  type: string;
  key: string;
}
interface ApplyAnswer {
  dry_run: boolean;
  changes: Change[];
  generated_keys: GeneratedKey[];
}

const SIGN: Record<Change['action'], string> = { create: '+', update: '~', delete: '-' };

/** `+ user "frank"`, `~ severities`; an update lists its fields under it. */
export function planLines(changes: Change[]): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    const label = c.kind.replace(/_/g, ' ');
    lines.push(`  ${SIGN[c.action]} ${c.name === c.kind ? label : `${label} ${JSON.stringify(c.name)}`}`);
    if (c.action === 'update') for (const f of c.fields ?? []) lines.push(`      ${formatFieldChange(f)}`);
  }
  return lines;
}

export function planSummary(changes: Change[]): string {
  return (['create', 'update', 'delete'] as const).map((a) => `${changes.filter((c) => c.action === a).length} to ${a}`).join(', ');
}

/** Entries per list section of a file, in the schema's order: {users: 5, teams: 1, …}. */
function sectionCounts(file: Record<string, unknown>): Record<string, number> {
  const order = Object.keys((orgJsonSchema() as { properties?: Record<string, unknown> }).properties ?? {});
  const rank = (section: string) => (order.includes(section) ? order.indexOf(section) : order.length);
  return Object.fromEntries(
    Object.entries(file)
      .filter((e): e is [string, unknown[]] => Array.isArray(e[1]))
      .sort((x, y) => rank(x[0]) - rank(y[0]))
      .map(([section, list]) => [section, list.length]),
  );
}

/** "5 users, 1 teams, 2 services". */
const counts = (file: Record<string, unknown>): string =>
  Object.entries(sectionCounts(file))
    .map(([section, n]) => `${n} ${section.replace(/_/g, ' ')}`)
    .join(', ');

function problemLines(target: string, load: Extract<OrgLoad, { ok: false }>): string[] {
  return [`${target}: ${load.problems.length} ${load.problems.length === 1 ? 'problem' : 'problems'}`, ...load.problems.map((p) => `  ${p.field}: ${p.message}`)];
}

/** What the server is sent: the file's text (its YAML errors then carry line numbers), or a folder merged. */
function applyBody(load: Extract<OrgLoad, { ok: true }>): { yaml: string } | { config: Record<string, unknown> } {
  const only = load.sources[0];
  return !load.folder && only ? { yaml: only.text } : { config: load.value };
}

/** `-f -` reads standard input, so `watchkeeper export | watchkeeper plan -f -` works. */
function readTarget(target: string): OrgLoad {
  if (target === '-') return loadOrgSources([{ file: '(stdin)', text: fs.readFileSync(0, 'utf8') }], false);
  try {
    return loadOrg(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`${target}: no such file or folder`, EXIT.error);
    throw err;
  }
}

/** `--json`, saying what it prints instead. */
const withJson = (c: Command, what: string): Command => c.option('--json', `print ${what} as JSON (for scripts)`);

export function orgCommands(program: Command, client: MakeClient): void {
  withJson(
    program
      .command('validate')
      .description('Check an organisation file (or a folder of them) offline; each problem names its file and path')
      .requiredOption('-f, --file <path>', 'organisation file (YAML), a folder of .yaml files merged section by section, or - for standard input'),
    'the problems',
  )
    .addHelpText('after', '\nExamples:\n  watchkeeper validate -f oncall.yaml\n  watchkeeper validate -f org/            # users.yaml, teams.yaml, … merged\n  watchkeeper validate -f oncall.yaml --json\n\nExit codes: 0 valid, 2 problems found, 1 the file cannot be read.')
    .action((o: { file: string; json?: boolean }) => {
      const load = readTarget(o.file);
      if (o.json) printJson(load.ok ? { valid: true, files: load.sources.map((s) => s.file), counts: sectionCounts(load.value) } : { valid: false, problems: load.problems });
      if (!load.ok) {
        if (!o.json) for (const line of problemLines(o.file, load)) console.error(line);
        process.exitCode = EXIT.usage;
        return;
      }
      if (!o.json) console.log(`${o.file}: valid (${counts(load.value)})`);
    });

  withJson(
    withConnection(
      program
        .command('plan')
        .description('Show what applying an organisation file would change on the server, field by field; changes nothing')
        .requiredOption('-f, --file <path>', 'organisation file (YAML), a folder of them, or - for standard input'),
    ),
    'the changes, each with its fields',
  )
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper plan -f oncall.yaml\n  watchkeeper plan -f org/ --json\n  watchkeeper plan -f oncall.yaml; case $? in 0) echo "in sync";; 2) echo "drift: apply it";; *) exit 1;; esac\n\nExit codes (like terraform plan -detailed-exitcode): 0 no changes, 2 changes to apply, 1 error (an invalid file too).\nNeeds an admin token: the plan is an apply that is rolled back.',
    )
    .action(async (o: { file: string; json?: boolean } & ConnectionOptions) => {
      const load = readTarget(o.file);
      if (!load.ok) throw new CliError(problemLines(o.file, load).join('\n'), EXIT.error);
      let r: ApplyAnswer;
      try {
        r = await client(o).request<ApplyAnswer>('POST', '/api/v1/config/apply', { ...applyBody(load), dry_run: true, diff: true });
      } catch (err) {
        // Whatever went wrong, a plan that did not run is exit code 1, never 2 (= changes).
        throw new CliError(err instanceof Error ? err.message : String(err), EXIT.error);
      }
      if (o.json) printJson({ changes: r.changes });
      else if (r.changes.length === 0) console.log('No changes: the server already matches the file.');
      else {
        for (const line of planLines(r.changes)) console.log(line);
        console.log(`Plan: ${planSummary(r.changes)}. Apply with: watchkeeper apply -f ${o.file}`);
      }
      process.exitCode = r.changes.length ? 2 : 0;
    });

  withJson(
    withConnection(
      program
        .command('apply')
        .description('Apply an organisation file (or a folder of them) to the server, all or nothing; prints what changed')
        .requiredOption('-f, --file <path>', 'organisation file (YAML), a folder of them, or - for standard input')
        .option('--dry-run', 'show the plan without changing anything (see also watchkeeper plan)'),
    ),
    'the changes and generated keys',
  )
    .addHelpText('after', '\nExamples:\n  watchkeeper apply -f oncall.yaml --dry-run\n  WATCHKEEPER_TOKEN=$(cat data/admin-token) watchkeeper apply -f oncall.yaml\n  watchkeeper apply -f org/ --json')
    .action(async (o: { file: string; dryRun?: boolean; json?: boolean } & ConnectionOptions) => {
      const load = readTarget(o.file);
      if (!load.ok) throw new CliError(problemLines(o.file, load).join('\n'), EXIT.usage);
      const r = await client(o).request<ApplyAnswer>('POST', '/api/v1/config/apply', { ...applyBody(load), dry_run: Boolean(o.dryRun), diff: true });
      if (o.json) {
        printJson(r);
        return;
      }
      if (r.changes.length === 0) {
        console.log('No changes: the server already matches the file.');
        return;
      }
      for (const line of planLines(r.changes)) console.log(line);
      console.log(r.dry_run ? `Plan: ${planSummary(r.changes)}. Nothing changed (dry run).` : `Applied: ${planSummary(r.changes)}.`);
      for (const k of r.generated_keys) console.log(`Generated key for ${k.service}/${k.integration} (${k.type}): ${k.key}  (shown once; store it now)`);
    });

  withJson(
    withConnection(
      program
        .command('export')
        .description("Write the server's organisation as YAML that applies as a no-op (integration keys are never in it)")
        .option('-o, --output <file>', 'write to this file instead of standard output'),
    ),
    'the organisation',
  )
    .addHelpText('after', '\nExamples:\n  watchkeeper export > oncall.yaml\n  watchkeeper export | watchkeeper plan -f -     # exit code 0: export then apply changes nothing\n  watchkeeper export -o oncall.yaml && watchkeeper plan -f oncall.yaml   # exit code 0: no changes\n  watchkeeper export --json | jq \'.services[].name\'')
    .action(async (o: { output?: string; json?: boolean } & ConnectionOptions) => {
      const c = client(o);
      const text = o.json
        ? `${JSON.stringify(await c.request<Record<string, unknown>>('GET', '/api/v1/config/export?format=json'), null, 2)}\n`
        : await c.request<string>('GET', '/api/v1/config/export');
      if (!o.output) {
        process.stdout.write(text);
        return;
      }
      fs.writeFileSync(o.output, text);
      console.log(`Wrote ${o.output}. Check it with: watchkeeper plan -f ${o.output}`);
    });

  program
    .command('schema')
    .description('Print the JSON Schema of the organisation file, for editors (offline)')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .addHelpText(
      'after',
      '\nExamples:\n  watchkeeper schema -o watchkeeper-org.schema.json\n  # then, as the first line of oncall.yaml:\n  # yaml-language-server: $schema=./watchkeeper-org.schema.json',
    )
    .action((o: { output?: string }) => {
      const text = orgSchemaText();
      if (o.output) fs.writeFileSync(o.output, text);
      else process.stdout.write(text);
    });
}

