import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { z } from 'zod';
import type { Role } from '../commands/tokens.js';
import { requireRole, type Authenticator } from './auth.js';

/**
 * Routes under /api/v1 are declared through here so that authentication, the role check and the
 * OpenAPI document come from one declaration and cannot drift apart.
 */
export interface ApiRoute {
  method: HTTPMethods;
  url: string;
  summary: string;
  tag: string;
  role: Role;
  /** 'none' only for signing in, which cannot need a principal, the org file's JSON Schema, which editors fetch, and the public status page summary. */
  auth?: 'none';
  body?: z.ZodType;
  query?: z.ZodType;
  handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export class ApiRouter {
  readonly routes: ApiRoute[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly auth: Authenticator,
  ) {}

  add(r: ApiRoute): void {
    this.routes.push(r);
    this.app.route({
      method: r.method,
      url: r.url,
      // onRequest runs before the body is read: without a valid token nothing is parsed, and the
      // answer is 401/403 whatever the body holds.
      onRequest: async (req) => {
        if (r.auth === 'none') return;
        req.principal = await this.auth.principal(req);
        requireRole(req.principal, r.role);
      },
      handler: (req, reply) => r.handler(req, reply),
    });
  }

  openapi(version: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const p = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      const params = [...r.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      const query = r.query ? Object.entries((z.toJSONSchema(r.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> }).properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })) : [];
      const op: Record<string, unknown> = {
        summary: r.summary,
        tags: [r.tag],
        description: r.auth === 'none' ? 'No authentication.' : `Requires a token (or a signed-in session) with the ${r.role} role or higher.`,
        security: r.auth === 'none' ? [] : [{ bearer: [] }, { session: [] }],
        parameters: [...params, ...query],
        responses: {
          '200': { description: 'OK' },
          '400': { description: 'Invalid input; the error names the field', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          '401': { description: 'Missing or unknown token' },
          '403': { description: 'Token lacks the role' },
          '404': { description: 'Not found' },
        },
      };
      if (r.body) {
        const schema = z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) as { required?: string[] };
        op.requestBody = { required: (schema.required?.length ?? 0) > 0, content: { 'application/json': { schema } } };
      }
      (paths[p] ??= {})[r.method.toString().toLowerCase()] = op;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'Watchkeeper API', version, description: 'On-call and incident response. Every route needs `Authorization: Bearer <token>` or a signed-in session, except signing in (POST /api/v1/session, the single sign-on routes and /api/v1/session/providers) the JSON Schema of the organisation file (/api/v1/config/schema) and the public status page summary (/api/v1/status-page).' },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'wk_session', description: 'Web UI session; changes also need the X-CSRF-Token header.' },
        },
        schemas: {
          Error: {
            type: 'object',
            properties: {
              error: {
                type: 'object',
                required: ['code', 'message'],
                properties: {
                  code: { type: 'string', enum: ['invalid', 'not_found', 'conflict', 'forbidden', 'unauthorized', 'rate_limited', 'unavailable', 'internal'] },
                  message: { type: 'string' },
                  field: { type: 'string' },
                  problems: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
                },
              },
            },
          },
        },
      },
      paths,
    };
  }
}
