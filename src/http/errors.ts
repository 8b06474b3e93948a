import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../domain/errors.js';

/** The one place where error codes become HTTP statuses. */
const STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: ErrorCode | 'internal'; message: string; field?: string; problems?: { field: string; message: string }[] };
}

export function toErrorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof AppError) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.field) body.error.field = err.field;
    if (err.problems.length) body.error.problems = err.problems;
    return { status: STATUS[err.code], body };
  }
  const fe = err as Partial<FastifyError> & { type?: string };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: { error: { code: 'invalid', message: 'request body too large', field: 'body' } } };
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, body: { error: { code: 'invalid', message: 'send Content-Type: application/json', field: 'body' } } };
  }
  if (fe.statusCode === 400 || err instanceof SyntaxError) {
    return { status: 400, body: { error: { code: 'invalid', message: `body is not valid JSON: ${fe.message ?? ''}`.trim(), field: 'body' } } };
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: { code: 'invalid', message: fe.message ?? 'bad request' } } };
  }
  return { status: 500, body: { error: { code: 'internal', message: 'internal error; the server log has the details' } } };
}

/** A path no route answers (browsers navigating to UI routes are answered by ./web.ts first). */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}; see /api/v1/openapi.json` } });
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  void reply.status(status).send(body);
}
