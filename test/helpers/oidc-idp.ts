import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type InteractionDetails } from 'oidc-provider';

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 for tests: one confidential client,
 * PKCE required, signing keys made per run. Its login and consent screens are replaced by a
 * handler that signs in `user` at once, so a test drives the whole flow with plain HTTP requests.
 */
export interface IdpAccount {
  email?: string;
  email_verified?: boolean;
}

export class TestIdp {
  readonly clientId = 'watchkeeper';
  readonly clientSecret = randomBytes(24).toString('base64url');
  issuer = '';
  /** The account id the next login signs in as; its claims come from `accounts`. */
  user = 'alice';
  readonly accounts = new Map<string, IdpAccount>();
  private server: http.Server | null = null;

  private constructor(private readonly redirectUri: string, private readonly opts: { idTokenTtl: number }) {}

  static async start(opts: { redirectUri: string; idTokenTtlSeconds?: number }): Promise<TestIdp> {
    const idp = new TestIdp(opts.redirectUri, { idTokenTtl: opts.idTokenTtlSeconds ?? 3600 });
    await idp.listen();
    return idp;
  }

  private async listen(): Promise<void> {
    let provider: Provider | null = null;
    const server = http.createServer((req, res) => {
      if (!provider) return void res.writeHead(503).end();
      if (req.url?.startsWith('/interaction/')) {
        void this.interact(provider, req, res).catch((err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
        });
        return;
      }
      provider.callback()(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
    provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: [this.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      findAccount: async (_ctx, id) => {
        const account = this.accounts.get(id);
        if (!account) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, ...account }) };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      jwks: { keys: [jwk] },
      ttl: { IdToken: this.opts.idTokenTtl, AccessToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600 },
      pkce: { required: () => true },
    });
  }

  /** What a person would do on the provider's pages: sign in as `user`, then allow the scopes. */
  private async interact(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const details: InteractionDetails = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: this.user } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope ?? 'openid'));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/**
 * A browser's part of the flow: follows redirects hop by hop, keeps the provider's cookies, and
 * hands requests for `appOrigin` to `app` (Watchkeeper, injected in-process) with its own jar.
 */
export class TestBrowser {
  private readonly jars = new Map<string, Map<string, string>>();
  readonly userAgent = 'watchkeeper-test-browser/1.0';

  constructor(
    private readonly appOrigin: string,
    private readonly app: (req: { url: string; cookie: string; userAgent: string }) => Promise<{ status: number; headers: Record<string, string | string[] | number | undefined> }>,
  ) {}

  cookie(origin: string, name: string): string | undefined {
    return this.jars.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string | undefined): void {
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    if (value === undefined) jar.delete(name);
    else jar.set(name, value);
  }

  private header(origin: string): string {
    return [...(this.jars.get(origin) ?? new Map<string, string>()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(origin: string, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=.*1970/i.test(a) || /^\s*max-age=(0|-)/i.test(a));
      this.setCookie(origin, name, value === '' || expired ? undefined : value);
    }
  }

  /** One request, no redirect followed. */
  async get(url: string): Promise<{ status: number; location: string | null; setCookies: string[] }> {
    const u = new URL(url);
    if (u.origin === this.appOrigin) {
      const res = await this.app({ url: u.pathname + u.search, cookie: this.header(u.origin), userAgent: this.userAgent });
      const raw = res.headers['set-cookie'];
      const setCookies = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
      this.remember(u.origin, setCookies);
      const location = res.headers.location;
      return { status: res.status, location: typeof location === 'string' ? new URL(location, url).href : null, setCookies };
    }
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: this.header(u.origin), 'user-agent': this.userAgent } });
    const setCookies = res.headers.getSetCookie();
    this.remember(u.origin, setCookies);
    await res.arrayBuffer();
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location, url).href : null, setCookies };
  }

  /** Follows redirects from `url` until `stop` says so (or a page that is not a redirect). */
  async follow(url: string, stop: (url: string) => boolean, maxHops = 20): Promise<{ url: string; hops: string[] }> {
    const hops: string[] = [url];
    let at = url;
    for (let i = 0; i < maxHops && !stop(at); i++) {
      const r = await this.get(at);
      if (!r.location || r.status < 300 || r.status >= 400) throw new Error(`${at} answered ${r.status} without a redirect`);
      at = r.location;
      hops.push(at);
    }
    return { url: at, hops };
  }
}
