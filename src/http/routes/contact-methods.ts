import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.js';
import {
  addContactMethod,
  deleteContactMethod,
  listContactMethods,
  listUserNotices,
  resendCode,
  sendTestPage,
  updateContactMethod,
  verifyContactMethod,
  type ContactMethodView,
  type NoticeView,
  type PersonCaller,
} from '../../commands/contact-methods.js';
import { getRules, RulesBody, setRules } from '../../commands/notification-rules.js';
import { reachability } from '../../commands/reachability.js';
import { CONTACT_METHOD_TYPES } from '../../config/org.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/**
 * Self-service reachability: a person's contact methods (add, verify with a code, pause, remove),
 * their notification rules per urgency, test pages and what became of them, and the report of
 * who on call now cannot be paged. People manage their own; admins anyone's.
 */

const UserParams = z.strictObject({ name: z.string().min(1) });
const MethodParams = z.strictObject({ name: z.string().min(1), id: z.string().min(1) });

const NewMethod = z.strictObject({
  name: z.string({ error: 'is required, e.g. "mobile"' }).describe('Your name for it, unique among your methods: "mobile", "work email".'),
  type: z.enum(CONTACT_METHOD_TYPES, { error: `must be one of ${CONTACT_METHOD_TYPES.join(', ')}` }),
  address: z
    .string({ error: 'is required' })
    .max(2000)
    .describe('Email address (email), phone number in international format (sms, voice), Slack member ID (slack), incoming-webhook or Workflows URL (teams), http(s) URL (webhook).'),
});
const ChangeMethod = z.strictObject({
  name: z.string().optional().describe('A new name.'),
  address: z.string().max(2000).optional().describe('A new address; email, SMS and voice need a new code.'),
  paused: z.boolean().optional().describe('true: not paged and sent nothing until resumed.'),
});
const Verify = z.strictObject({ code: z.string({ error: 'is required: the 6 digits from the message' }) });
const TestPage = z.strictObject({ contact_method: z.string().min(1).optional().describe('Only this method (by name); default every verified method that is not paused.') });
const NoticesQuery = z.strictObject({
  kind: z.enum(['verification', 'test', 'handoff_reminder', 'handoff_note', 'oncall_soon', 'shift_started', 'schedule_change', 'swap_request']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

function callerOf(req: FastifyRequest): PersonCaller {
  const p = req.principal;
  return { actor: actorOf(req), userName: p?.userName ?? null, role: p?.role ?? 'viewer' };
}

export function presentMethod(m: ContactMethodView) {
  return {
    ...m,
    verification: m.verification ? { expires_at: iso(m.verification.expires_at), attempts_left: m.verification.attempts_left, resend_at: iso(m.verification.resend_at) } : null,
    created_at: iso(m.created_at),
  };
}

export function presentNotice(n: NoticeView) {
  return { ...n, created_at: iso(n.created_at), sent_at: iso(n.sent_at) };
}

export function contactMethodRoutes(app: App, r: ApiRouter): void {
  const { ctx, senders } = app;
  const base = '/api/v1/users/:name/contact-methods';

  r.add({
    method: 'GET',
    url: base,
    summary: 'A person’s contact methods, with whether each is verified, paused and reachable on this server (yours; managers and admins: anyone’s)',
    tag: 'users',
    role: 'viewer',
    handler: async (req) => {
      const { name } = parse(UserParams, req.params);
      return { contact_methods: (await listContactMethods(ctx, senders, callerOf(req), name)).map(presentMethod) };
    },
  });

  r.add({
    method: 'POST',
    url: base,
    summary: 'Add a contact method; email, SMS and voice get a 6-digit code through the method and are not paged until it is entered',
    tag: 'users',
    role: 'viewer',
    body: NewMethod,
    handler: async (req, reply) => {
      const { name } = parse(UserParams, req.params);
      const b = parse(NewMethod, req.body);
      const r = await addContactMethod(ctx, senders, callerOf(req), name, b);
      void reply.status(201);
      return { contact_method: presentMethod(r.method), code_sent: r.codeSent };
    },
  });

  r.add({
    method: 'PUT',
    url: `${base}/:id`,
    summary: 'Rename a contact method, change its address (a new code is sent) or pause it; :id is its id or name',
    tag: 'users',
    role: 'viewer',
    body: ChangeMethod,
    handler: async (req) => {
      const { name, id } = parse(MethodParams, req.params);
      const b = parse(ChangeMethod, req.body);
      const r = await updateContactMethod(ctx, senders, callerOf(req), name, id, b);
      return { contact_method: presentMethod(r.method), code_sent: r.codeSent };
    },
  });

  r.add({
    method: 'DELETE',
    url: `${base}/:id`,
    summary: 'Remove a contact method you added, with its notification rules',
    tag: 'users',
    role: 'viewer',
    handler: async (req, reply) => {
      const { name, id } = parse(MethodParams, req.params);
      await deleteContactMethod(ctx, callerOf(req), name, id);
      return reply.status(204).send();
    },
  });

  r.add({
    method: 'POST',
    url: `${base}/:id/verify`,
    summary: 'Confirm a contact method with the code sent through it (5 tries, 15 minutes)',
    tag: 'users',
    role: 'viewer',
    body: Verify,
    handler: async (req) => {
      const { name, id } = parse(MethodParams, req.params);
      const b = parse(Verify, req.body);
      return { contact_method: presentMethod(await verifyContactMethod(ctx, senders, callerOf(req), name, id, b.code)) };
    },
  });

  r.add({
    method: 'POST',
    url: `${base}/:id/resend`,
    summary: 'Send a new verification code (at most once a minute); the previous code stops working',
    tag: 'users',
    role: 'viewer',
    handler: async (req) => {
      const { name, id } = parse(MethodParams, req.params);
      return { contact_method: presentMethod(await resendCode(ctx, senders, callerOf(req), name, id)), code_sent: true };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/users/:name/notification-rules',
    summary: 'A person’s notification rules per urgency: their own and those from the organisation file',
    tag: 'users',
    role: 'viewer',
    handler: async (req) => {
      const { name } = parse(UserParams, req.params);
      return getRules(ctx, callerOf(req), name);
    },
  });

  r.add({
    method: 'PUT',
    url: '/api/v1/users/:name/notification-rules',
    summary: 'Replace a person’s own notification rules: a list of steps {contact_method, delay_minutes} for high and for low urgency',
    tag: 'users',
    role: 'viewer',
    body: RulesBody,
    handler: async (req) => {
      const { name } = parse(UserParams, req.params);
      return setRules(ctx, callerOf(req), name, parse(RulesBody, req.body));
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/users/:name/test-page',
    summary: 'Send a test page through each verified method (or one); follow the returned notices with GET …/notices?kind=test',
    tag: 'users',
    role: 'viewer',
    body: TestPage,
    handler: async (req, reply) => {
      const { name } = parse(UserParams, req.params);
      const b = parse(TestPage, req.body);
      const notices = await sendTestPage(ctx, callerOf(req), name, { contactMethod: b.contact_method });
      void reply.status(202);
      return { notices: notices.map(presentNotice) };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/users/:name/notices',
    summary: 'Messages sent to a person that are not pages (test pages, codes, handoff notes), newest first, with their delivery state',
    tag: 'users',
    role: 'viewer',
    query: NoticesQuery,
    handler: async (req) => {
      const { name } = parse(UserParams, req.params);
      const q = parse(NoticesQuery, req.query);
      return { notices: (await listUserNotices(ctx, callerOf(req), name, { ...(q.kind ? { kind: q.kind } : {}), limit: q.limit })).map(presentNotice) };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/whoami',
    summary: 'Who this token or session is: its name, role and the person it acts as (the CLI’s default --user)',
    tag: 'users',
    role: 'viewer',
    handler: async (req) => {
      const p = req.principal;
      return { name: p?.name ?? null, role: p?.role ?? null, user: p?.userName ?? null };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/reachability',
    summary: 'Who is on call now and cannot be paged, why, and the fix',
    tag: 'users',
    role: 'viewer',
    handler: async () => {
      const report = await reachability(ctx, senders);
      return { at: iso(report.at), checked: report.checked, unreachable: report.unreachable };
    },
  });
}
