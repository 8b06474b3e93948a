/**
 * The one way the UI talks to the server. Everything goes through /api/v1 with the session
 * cookie; non-GET requests carry the CSRF token the session handed out. A 401 on anything but
 * the session endpoint itself means the session is gone: the client tells the app once, and the
 * app sends the user to the sign-in page.
 */

export interface ApiProblem {
  field?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly problems: ApiProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  base?: string;
  fetch?: typeof fetch;
  /** Called on a 401 from any route other than /session. */
  onUnauthorized?: () => void;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Query = Record<string, string | number | undefined | null>;

export interface ApiClient {
  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body?: unknown): Promise<T>;
  del<T>(path: string): Promise<T>;
  setCsrfToken(token: string | null): void;
  setOnUnauthorized(fn: (() => void) | undefined): void;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

export function createApiClient(opts: ApiClientOptions = {}): ApiClient {
  const base = opts.base ?? '/api/v1';
  let csrf: string | null = null;
  let onUnauthorized = opts.onUnauthorized;

  async function request<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', 'X-Watchkeeper-Client': 'ui' };
    if (method !== 'GET') {
      if (csrf) headers['X-CSRF-Token'] = csrf;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
    }
    const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'network', 'Cannot reach the Watchkeeper server. Check your connection; the page retries when the server is back.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!res.ok) {
      const e = (data as { error?: { code?: string; message?: string; field?: string; problems?: ApiProblem[] } } | undefined)?.error;
      const err = new ApiError(res.status, e?.code ?? 'http_' + res.status, e?.message ?? `${method} ${path} failed with HTTP ${res.status}`, e?.field, e?.problems ?? []);
      if (res.status === 401 && !path.startsWith('/session')) onUnauthorized?.();
      throw err;
    }
    return data as T;
  }

  return {
    get: (path, query, signal) => request('GET', withQuery(path, query), undefined, signal),
    post: (path, body) => request('POST', path, body ?? {}),
    put: (path, body) => request('PUT', path, body ?? {}),
    patch: (path, body) => request('PATCH', path, body ?? {}),
    del: (path) => request('DELETE', path),
    setCsrfToken: (t) => {
      csrf = t;
    },
    setOnUnauthorized: (fn) => {
      onUnauthorized = fn;
    },
  };
}

/** The app's client; tests build their own with createApiClient. */
export const api = createApiClient();

/** A short human message for any error thrown by the client or a page. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.problems.length > 1) return err.problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ');
    return err.field && !err.message.includes(err.field) ? `${err.field}: ${err.message}` : err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Only same-site paths may be a sign-in destination: "//evil.example" and "https://…" are refused. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/';
  return next;
}
