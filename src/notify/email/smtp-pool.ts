import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SMTPConnectionAuth, SMTPConnectionOptions, SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';

/**
 * A pool of nodemailer SMTP connections that sends messages we have already composed.
 *
 * nodemailer's own pool runs every message through its composer and stream pipeline, which cost
 * about 1 ms of CPU per page and capped a storm at ~700 emails/s on one core. Here nodemailer's
 * SMTPConnection still speaks the protocol (TLS, STARTTLS, AUTH, PIPELINING, dot-stuffing); the
 * pool only hands each prepared message to an idle connection, about 0.2 ms per page.
 *
 * A connection that failed a send, timed out or was closed by the server is dropped, never
 * reused: the next send opens a fresh one.
 */
export interface SmtpPoolOptions {
  connection: SMTPConnectionOptions;
  auth?: SMTPConnectionAuth | undefined;
  maxConnections: number;
}

export interface Envelope {
  from: string;
  to: string[];
}

interface Waiter {
  envelope: Envelope;
  message: string;
  signal: AbortSignal | undefined;
  resolve: (info: SMTPConnectionSendInfo) => void;
  reject: (err: unknown) => void;
  /** Set while the message is on a connection: gives up on it there. */
  cancel?: () => void;
  /** Stops listening to the signal once the send is settled, so nothing holds the message. */
  detach?: () => void;
}

interface Conn {
  smtp: SMTPConnection;
  broken: boolean;
}

export class SmtpPool {
  private idle: Conn[] = [];
  /** Connections open or being opened. */
  private open = 0;
  private connecting = 0;
  private queue: Waiter[] = [];
  private closed = false;

  constructor(private readonly opts: SmtpPoolOptions) {}

  send(envelope: Envelope, message: string, signal?: AbortSignal): Promise<SMTPConnectionSendInfo> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      const w: Waiter = { envelope, message, signal, resolve, reject };
      if (signal) {
        if (signal.aborted) return reject(abortError(signal));
        const onAbort = () => this.abort(w);
        signal.addEventListener('abort', onAbort, { once: true });
        w.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(w);
      this.pump();
    });
  }

  /** Ends every idle connection and fails queued sends; sends in flight finish or fail. */
  close(): void {
    this.closed = true;
    for (const w of this.queue.splice(0)) w.reject(closedError());
    for (const c of this.idle.splice(0)) this.drop(c);
  }

  /** The send's signal fired: out of the queue if it waits there, off its connection if it is on one. */
  private abort(w: Waiter): void {
    if (w.cancel) return w.cancel();
    const i = this.queue.indexOf(w);
    if (i < 0) return; // already settled
    this.queue.splice(i, 1);
    w.reject(abortError(w.signal!));
  }

  private pump(): void {
    while (this.queue.length > 0 && this.idle.length > 0) this.run(this.idle.pop()!, this.queue.shift()!);
    // One new connection per send still waiting, up to the limit.
    while (this.queue.length > this.connecting && this.open < this.opts.maxConnections) this.connect();
  }

  private connect(): void {
    this.open++;
    this.connecting++;
    const smtp = new SMTPConnection(this.opts.connection);
    const conn: Conn = { smtp, broken: false };
    let ready = false;
    const settle = (err: unknown) => {
      if (ready) return;
      ready = true;
      this.connecting--;
      if (err || this.closed) {
        this.drop(conn);
        // The oldest waiting send learns why; it is retried by the outbox like any failed page.
        if (err) this.queue.shift()?.reject(err);
      } else {
        this.idle.push(conn);
      }
      this.pump();
    };
    smtp.on('error', (err: unknown) => {
      if (!ready) return settle(err);
      this.drop(conn);
    });
    smtp.once('end', () => {
      if (!ready) return settle(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' }));
      this.drop(conn);
    });
    smtp.connect(() => {
      if (!this.opts.auth) return settle(null);
      smtp.login(this.opts.auth, (err) => settle(err ?? null));
    });
  }

  private run(conn: Conn, w: Waiter): void {
    let settled = false;
    const done = (err: unknown, info?: SMTPConnectionSendInfo) => {
      if (settled) return;
      settled = true;
      w.cancel = undefined;
      w.detach?.();
      if (err) {
        // After a refused recipient or a timeout the session state is unknown: start afresh.
        this.drop(conn);
        w.reject(err);
      } else if (conn.broken || this.closed) {
        this.drop(conn);
        w.resolve(info!);
      } else {
        this.idle.push(conn);
        w.resolve(info!);
      }
      this.pump();
    };
    // A server that stops answering mid-message: give up on this connection; the page is retried.
    w.cancel = () => done(abortError(w.signal!));
    // nodemailer consumes the envelope's recipient list while sending, so each send gets its own.
    conn.smtp.send({ from: w.envelope.from, to: [...w.envelope.to] }, w.message, (err, info) => done(err, info));
  }

  /** Closes a connection and forgets it; safe to call more than once. */
  private drop(conn: Conn): void {
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    if (conn.broken) return;
    conn.broken = true;
    this.open--;
    conn.smtp.close();
  }
}

function closedError(): Error {
  return Object.assign(new Error('email sender is closed'), { code: 'ECONNECTION' });
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  const err = new Error(reason instanceof Error ? reason.message : 'send timed out');
  return Object.assign(err, { code: 'ETIMEDOUT' });
}
