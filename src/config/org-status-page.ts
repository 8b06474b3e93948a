import { z } from 'zod';

/**
 * The org file's `status_page`: what the public status page at /status is called and which
 * components it shows, each standing for some of the organisation's services (their upcoming
 * maintenance windows are shown under "Scheduled maintenance").
 *
 *   status_page:
 *     title: Clipper status
 *     public_url: https://status.clipper.app
 *     components:
 *       - name: Checkout
 *         description: Paying for an order
 *         services: [Checkout API]
 *         group: Web
 *
 * A component's current status (operational, degraded_performance, …) is operational data, set
 * in the web UI, the API or the CLI and by public incident updates, never in the file. Without the
 * section the status page says it is not set up.
 */
export interface StatusPageComponent {
  name: string;
  description: string | null;
  services: string[];
  group: string | null;
}

export interface StatusPageConfig {
  title: string;
  publicUrl: string | null;
  components: StatusPageComponent[];
}

const TRIMMED = /^\S(?:.*\S)?$/;

const ComponentSchema = z.strictObject({
  name: z.string().min(1).max(100).regex(TRIMMED, { error: 'must not start or end with a space' }).describe('Shown on the public page, e.g. Checkout.'),
  description: z.string().max(500).optional().describe('One line under the name.'),
  services: z.array(z.string().min(1)).max(100).default([]).describe('Services this component stands for; their maintenance windows are shown on the page.'),
  group: z.string().min(1).max(100).optional().describe('Components of one group are listed together under its name.'),
});

export const StatusPageSchema = z
  .strictObject({
    title: z.string().min(1).max(200).describe('The page title, e.g. "Clipper status".'),
    public_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://status.example.com' }).optional().describe('Where subscribers reach the page; default: the server public URL + /status.'),
    components: z.array(ComponentSchema).max(200).default([]).describe('What customers see the status of, in order.'),
  })
  .describe('The public status page at /status: its title and components.');

export type StatusPageInput = z.output<typeof StatusPageSchema>;
type Path = readonly (string | number)[];

export function checkStatusPage(input: StatusPageInput, path: Path, services: Set<string> | null, problem: (at: Path, message: string) => void): StatusPageConfig {
  const seen = new Map<string, number>();
  input.components.forEach((c, i) => {
    const key = c.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) problem([...path, 'components', i, 'name'], `duplicate name "${c.name}" (also status_page.components[${first}])`);
    else seen.set(key, i);
    c.services.forEach((s, k) => {
      if (services && !services.has(s)) problem([...path, 'components', i, 'services', k], `no service named "${s}"`);
    });
  });
  return {
    title: input.title,
    publicUrl: input.public_url ?? null,
    components: input.components.map((c) => ({ name: c.name, description: c.description ?? null, services: [...new Set(c.services)], group: c.group ?? null })),
  };
}

/** The section as written back by export; defaults left out so a round trip is a no-op. */
export function statusPageToFile(p: StatusPageConfig | null): { status_page?: Record<string, unknown> } {
  if (!p) return {};
  return {
    status_page: {
      title: p.title,
      ...(p.publicUrl ? { public_url: p.publicUrl } : {}),
      components: p.components.map((c) => ({
        name: c.name,
        ...(c.description ? { description: c.description } : {}),
        services: c.services,
        ...(c.group ? { group: c.group } : {}),
      })),
    },
  };
}
