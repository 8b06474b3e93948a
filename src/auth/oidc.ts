import { hkdfSync } from 'node:crypto';
import { signerFactory } from '@fastify/cookie';
import * as client from 'openid-client';
import { openSession, usersByEmail, type SessionPrincipal } from '../commands/accounts.js';
import type { Ctx } from '../commands/context.js';
import type { FieldProblem } from '../domain/errors.js';

/**
 * Single sign-on for the web UI through the organisation's OpenID Connect provider: the
 * authorization code flow with PKCE, state and nonce. openid-client does discovery, the code
 * exchange and every check of the ID token (signature, issuer, audience, expiry, nonce); this
 * file only keeps the flow's secrets between the two legs and maps the verified email to a
 * Watchkeeper user.
 *
 * The flow's state lives in a short-lived signed cookie rather than in memory, so the callback
 * may land on any API process behind a load balancer. The cookie is signed with a key derived
 * from the client secret, which every process already shares.
 */

export const OIDC_VARS = {
  issuer: 'WATCHKEEPER_OIDC_ISSUER',
  clientId: 'WATCHKEEPER_OIDC_CLIENT_ID',
  clientSecret: 'WATCHKEEPER_OIDC_CLIENT_SECRET',
  name: 'WATCHKEEPER_OIDC_NAME',
  passwords: 'WATCHKEEPER_OIDC_PASSWORDS',
} as const;

export const OIDC_CALLBACK_PATH = '/api/v1/session/oidc/callback';
export const OIDC_COOKIE = 'wk_oidc';
export const OIDC_COOKIE_PATH = '/api/v1/session/oidc';
/** How long a person has at the identity provider between start and callback. */
export const OIDC_FLOW_MS = 10 * 60_000;

export interface OidcOptions {
  /** The issuer URL; discovery reads <issuer>/.well-known/openid-configuration. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Shown on the sign-in button: "Sign in with <name>". */
  name: string;
  /** false: local passwords are refused, SSO is the only way in. */
  passwords: boolean;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Reads the WATCHKEEPER_OIDC_* variables. Returns every problem (each naming its variable) rather
 * than the first, like loadEnv; the client secret's value is never echoed.
 */
export function readOidcEnv(env: NodeJS.ProcessEnv): { oidc: OidcOptions | null; problems: FieldProblem[] } {
  const read = (name: string): string | null => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  const problems: FieldProblem[] = [];
  const issuer = read(OIDC_VARS.issuer);
  const clientId = read(OIDC_VARS.clientId);
  const clientSecret = read(OIDC_VARS.clientSecret);
  const name = read(OIDC_VARS.name);
  const passwords = read(OIDC_VARS.passwords);

  const valueProblems = (): FieldProblem[] => {
    const out: FieldProblem[] = [];
    if (name !== null && name.length > 60) out.push({ field: OIDC_VARS.name, message: `must be at most 60 characters, e.g. Okta (has ${name.length})` });
    if (passwords !== null && passwords !== 'on' && passwords !== 'off') out.push({ field: OIDC_VARS.passwords, message: `must be "on" or "off" (got "${passwords}")` });
    return out;
  };

  if (issuer === null) {
    const set = [OIDC_VARS.clientId, OIDC_VARS.clientSecret, OIDC_VARS.name, OIDC_VARS.passwords].filter((v) => read(v) !== null);
    if (set.length > 0) problems.push({ field: OIDC_VARS.issuer, message: `is required when ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set: the URL of your identity provider's issuer, e.g. https://example.okta.com` });
    return { oidc: null, problems: [...problems, ...valueProblems()] };
  }

  let url: URL | null = null;
  try {
    url = new URL(issuer);
  } catch {
    url = null;
  }
  const what = `must be the https:// URL of your identity provider's issuer, e.g. https://example.okta.com (http:// only on localhost) (got "${issuer}")`;
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))) problems.push({ field: OIDC_VARS.issuer, message: what });
  else if (url.search !== '' || url.hash !== '') problems.push({ field: OIDC_VARS.issuer, message: `must be the issuer URL without ?query or #fragment (got "${issuer}")` });

  if (clientId === null) problems.push({ field: OIDC_VARS.clientId, message: `is required with ${OIDC_VARS.issuer}: the client ID your identity provider gave Watchkeeper` });
  if (clientSecret === null) problems.push({ field: OIDC_VARS.clientSecret, message: `is required with ${OIDC_VARS.issuer}: the client secret your identity provider gave Watchkeeper` });
  problems.push(...valueProblems());

  if (problems.length > 0 || clientId === null || clientSecret === null) return { oidc: null, problems };
  return { oidc: { issuer, clientId, clientSecret, name: name ?? 'single sign-on', passwords: passwords !== 'off' }, problems };
}

/** A sign-in that did not work, with the words to show on the sign-in page. */
export class OidcSignInError extends Error {
  constructor(
    message: string,
    /** Where the person was going; kept so that trying again lands them there. */
    readonly next: string = '/',
  ) {
    super(message);
    this.name = 'OidcSignInError';
  }
}

/** Only same-site paths are a destination after signing in; anything else becomes "/". */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return '/';
  // "//host" and "/\host" are other sites to a browser; control characters have no place in a path.
  const control = [...next].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || control) return '/';
  // Resolved against a placeholder origin: anything that leaves it is another site; the result is
  // percent-encoded, so it is always a valid Location header.
  const base = 'http://watchkeeper.invalid';
  const u = new URL(next, base);
  if (u.origin !== base) return '/';
  if (u.pathname === '/login' || u.pathname.startsWith('/api/')) return '/';
  return u.pathname + u.search + u.hash;
}

interface Flow {
  /** state, nonce, PKCE code verifier */
  s: string;
  n: string;
  v: string;
  next: string;
  /** expiry, ms on ctx.clock */
  exp: number;
}

export class OidcSignIn {
  readonly name: string;
  readonly passwords: boolean;
  readonly issuer: string;
  readonly redirectUri: string;
  private readonly insecure: boolean;
  private readonly signer;
  private server: Promise<client.ServerMetadata> | null = null;
  private jwks: ReturnType<typeof client.getJwksCache>;

  constructor(
    private readonly ctx: Ctx,
    private readonly opts: OidcOptions,
  ) {
    this.name = opts.name;
    this.passwords = opts.passwords;
    this.issuer = opts.issuer;
    this.redirectUri = `${ctx.publicUrl}${OIDC_CALLBACK_PATH}`;
    // Plain http only to an identity provider on this machine (development and tests).
    this.insecure = new URL(opts.issuer).protocol === 'http:';
    const key = Buffer.from(hkdfSync('sha256', opts.clientSecret, 'watchkeeper', 'oidc sign-in flow cookie', 32));
    this.signer = signerFactory(key);
  }

  /** Discovery, once; a failure is forgotten so that the next sign-in tries again. */
  discover(): Promise<client.ServerMetadata> {
    this.server ??= client
      .discovery(new URL(this.opts.issuer), this.opts.clientId, this.opts.clientSecret, undefined, { timeout: 10, ...(this.insecure ? { execute: [client.allowInsecureRequests] } : {}) })
      .then((c) => c.serverMetadata())
      .catch((err: unknown) => {
        this.server = null;
        throw err;
      });
    return this.server;
  }

  /**
   * Checks the identity provider at start. A provider that answers wrongly (no discovery document
   * there, a different issuer) is misconfiguration and throws, naming the variable. One that does
   * not answer at all may be down for a while: the server starts anyway (paging must not depend on
   * sign-in) and the returned warning is logged; sign-in tries discovery again when used.
   */
  async check(): Promise<string | null> {
    try {
      await this.discover();
      return null;
    } catch (err) {
      if (unreachable(err)) return `${OIDC_VARS.issuer}: ${this.opts.issuer} did not answer (${describe(err)}); single sign-on will try again when someone signs in`;
      throw new Error(`${OIDC_VARS.issuer}: discovery at ${this.opts.issuer} failed: ${describe(err)}; check the issuer URL (it must match the "issuer" in ${wellKnown(this.opts.issuer)})`, { cause: err });
    }
  }

  /** A Configuration whose "now" is ctx.clock's, so ID token expiry follows the server's clock. */
  private async configuration(): Promise<client.Configuration> {
    const server = await this.discover();
    const skew = Math.round((this.ctx.clock.now() - Date.now()) / 1000);
    const config = new client.Configuration(server, this.opts.clientId, { client_secret: this.opts.clientSecret, [client.clockSkew]: skew });
    if (this.insecure) client.allowInsecureRequests(config);
    if (this.jwks) client.setJwksCache(config, this.jwks);
    return config;
  }

  /** The provider's authorization URL and the signed cookie that remembers this flow. */
  async start(next: unknown): Promise<{ url: string; cookie: string }> {
    const dest = safeNext(next);
    let config: client.Configuration;
    try {
      config = await this.configuration();
    } catch (err) {
      this.ctx.log.warn({ err, issuer: this.opts.issuer }, 'OIDC discovery failed');
      throw new OidcSignInError(`${this.name} did not answer (${describe(err)}); try again in a minute${this.passwords ? ', or sign in with your password' : ''}`, dest);
    }
    const flow: Flow = { s: client.randomState(), n: client.randomNonce(), v: client.randomPKCECodeVerifier(), next: dest, exp: this.ctx.clock.now() + OIDC_FLOW_MS };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email',
      response_type: 'code',
      state: flow.s,
      nonce: flow.n,
      code_challenge: await client.calculatePKCECodeChallenge(flow.v),
      code_challenge_method: 'S256',
    });
    return { url: url.href, cookie: this.signer.sign(Buffer.from(JSON.stringify(flow)).toString('base64url')) };
  }

  /**
   * The provider sent the person back: check the flow cookie, exchange the code (openid-client
   * checks state, PKCE, the ID token and its nonce), find the user by the verified email and open
   * a session. Every failure is an OidcSignInError with words for the sign-in page.
   */
  async finish(input: { cookie: string | undefined; query: string; userAgent: string | null }): Promise<{ cookie: string; session: SessionPrincipal; next: string }> {
    const flow = this.readFlow(input.cookie);
    const again = `start again from the sign-in page`;
    if (!flow) throw new OidcSignInError(`no sign-in with ${this.name} is under way in this browser (it may have been finished already, or started in another tab); ${again}`);
    const params = new URLSearchParams(input.query);
    if (flow.exp <= this.ctx.clock.now()) throw new OidcSignInError(`signing in with ${this.name} took longer than ${OIDC_FLOW_MS / 60_000} minutes; ${again}`, flow.next);
    if (!params.has('error') && params.get('state') !== flow.s) throw new OidcSignInError(`the answer from ${this.name} does not belong to the sign-in this browser started (state does not match); ${again}`, flow.next);

    const current = new URL(this.redirectUri);
    current.search = params.toString();
    let claims: client.IDToken | undefined;
    let accessToken: string;
    let config: client.Configuration;
    try {
      config = await this.configuration();
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: flow.v, expectedState: flow.s, expectedNonce: flow.n, idTokenExpected: true });
      this.jwks = client.getJwksCache(config) ?? this.jwks;
      claims = tokens.claims();
      accessToken = tokens.access_token;
    } catch (err) {
      throw this.explain(err, flow.next);
    }
    if (!claims) throw new OidcSignInError(`${this.name} sent no ID token; ${again}`, flow.next);

    let email: unknown = claims.email;
    let verified: unknown = claims.email_verified;
    if (typeof email !== 'string') {
      // Many providers put the email in the userinfo answer rather than the ID token.
      try {
        const info = await client.fetchUserInfo(config, accessToken, claims.sub);
        email = info.email;
        verified = info.email_verified;
      } catch (err) {
        throw this.explain(err, flow.next);
      }
    }
    if (typeof email !== 'string' || email.trim() === '') {
      throw new OidcSignInError(`${this.name} did not say what your email is; ask whoever runs ${this.name} to release the "email" claim to Watchkeeper`, flow.next);
    }
    // A provider that says an email is not verified is believed; one that says nothing about it
    // (Microsoft Entra ID, for one) is the organisation's own directory and vouches for it.
    if (verified === false || verified === 'false') {
      throw new OidcSignInError(`${this.name} says your email ${email} is not verified; verify it with ${this.name} and sign in again`, flow.next);
    }
    const users = await usersByEmail(this.ctx, email);
    if (users.length === 0) throw new OidcSignInError(`no Watchkeeper user has the email ${email}; ask an admin to add you to the organisation file`, flow.next);
    if (users.length > 1) {
      throw new OidcSignInError(`several Watchkeeper users have the email ${email} (${users.map((u) => u.name).join(', ')}); ask an admin to give each their own email in the organisation file`, flow.next);
    }
    const opened = await openSession(this.ctx, users[0]!, { method: 'oidc', userAgent: input.userAgent });
    return { ...opened, next: flow.next };
  }

  private readFlow(cookie: string | undefined): Flow | null {
    if (!cookie) return null;
    const r = this.signer.unsign(cookie);
    if (!r.valid) return null;
    try {
      const f = JSON.parse(Buffer.from(r.value, 'base64url').toString('utf8')) as Partial<Flow>;
      if (typeof f.s !== 'string' || typeof f.n !== 'string' || typeof f.v !== 'string' || typeof f.exp !== 'number') return null;
      return { s: f.s, n: f.n, v: f.v, exp: f.exp, next: safeNext(f.next) };
    } catch {
      return null;
    }
  }

  private explain(err: unknown, next: string): OidcSignInError {
    this.ctx.log.warn({ err, issuer: this.opts.issuer }, 'OIDC sign-in failed');
    const again = 'start again from the sign-in page';
    if (err instanceof client.AuthorizationResponseError) {
      return new OidcSignInError(`${this.name} did not sign you in: ${err.error_description ?? err.error}`, next);
    }
    if (err instanceof client.ResponseBodyError) {
      // invalid_grant: the code was used already, or has expired.
      return new OidcSignInError(`${this.name} refused the sign-in (${err.error}${err.error_description ? `: ${err.error_description}` : ''}); a sign-in link works once, ${again}`, next);
    }
    if (unreachable(err)) return new OidcSignInError(`${this.name} did not answer (${describe(err)}); try again in a minute`, next);
    if ((err as { code?: unknown }).code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
      return new OidcSignInError(`the answer from ${this.name} failed validation (${describe(err)}); ${again}, and check that this server's clock is right`, next);
    }
    return new OidcSignInError(`the answer from ${this.name} failed validation (${describe(err)}); ${again}, and if it happens again tell an admin (the server log has the details)`, next);
  }
}

function wellKnown(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** No answer at all (refused, unresolvable, timed out), as opposed to a wrong answer. */
function unreachable(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
    const code = (e as { code?: unknown }).code;
    if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT' || code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ETIMEDOUT') return true;
  }
  return false;
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, i = 0; e && i < 3; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof Error) parts.push(e.message);
    else if (typeof e === 'object' && e !== null && 'status' in e) parts.push(`HTTP ${String((e as { status: unknown }).status)}`);
  }
  return [...new Set(parts)].join(': ') || String(err);
}
