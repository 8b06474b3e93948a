/**
 * One error type with a closed set of codes, mapped to HTTP status codes in one place
 * (src/http/errors.ts). `field` names the offending input path, e.g. `services[2].escalation_policy`.
 */
export type ErrorCode =
  | 'invalid'
  | 'not_found'
  | 'conflict'
  | 'forbidden'
  | 'unauthorized'
  | 'rate_limited'
  | 'unavailable';

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly problems: FieldProblem[];

  constructor(code: ErrorCode, message: string, opts: { field?: string; problems?: FieldProblem[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = opts.field;
    this.problems = opts.problems ?? (opts.field ? [{ field: opts.field, message }] : []);
  }

  static invalid(field: string, message: string): AppError {
    return new AppError('invalid', `${field}: ${message}`, { field });
  }

  static invalidMany(problems: FieldProblem[]): AppError {
    const first = problems[0];
    const message =
      problems.length === 1 && first
        ? `${first.field}: ${first.message}`
        : `${problems.length} problems: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
    return new AppError('invalid', message, { field: first?.field, problems });
  }

  static notFound(what: string): AppError {
    return new AppError('not_found', `${what} not found`);
  }
}
