/**
 * The HTTP client the CLI uses: the CLI never touches the database, it talks to a server like any
 * other API user. Errors keep the server's message, which already names the field and next step.
 */
export interface ClientOptions {
  server: string;
  token: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export class Client {
  constructor(private readonly opts: ClientOptions) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.opts.server.endsWith('/') ? this.opts.server : `${this.opts.server}/`);
    const headers: Record<string, string> = { 'x-watchkeeper-client': 'cli', accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new ApiError(0, `cannot reach ${url.origin}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}. Is the server running? Set --server or WATCHKEEPER_SERVER.`, null);
    }
    const text = await res.text();
    const parsed: unknown = text ? safeJson(text) : null;
    if (!res.ok) {
      const e = (parsed as { error?: { message?: string; problems?: { field: string; message: string }[] } } | null)?.error;
      const lines = e?.problems && e.problems.length > 1 ? e.problems.map((p) => `  ${p.field}: ${p.message}`).join('\n') : null;
      throw new ApiError(res.status, lines ? `${res.status}: ${e?.message?.split(':')[0] ?? 'problems'}\n${lines}` : `${res.status}: ${e?.message ?? text}`, parsed);
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
