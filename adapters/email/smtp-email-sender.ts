import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailMessage, EmailSender } from '../../core/auth/ports.js';
import type { Logger } from '../observability/logger.js';

export interface SmtpEmailSenderOptions {
  /** `smtp://[user:password@]host:port` (STARTTLS when the server offers it) or `smtps://...` (TLS from the start). */
  readonly url: string;
  /** The `From` of every message, e.g. `meshwork <no-reply@example.com>`. */
  readonly from: string;
  readonly logger: Logger;
  /** Longest wait for the connection, the greeting, and then between two replies of the server. Default 10 s. */
  readonly timeoutMs?: number;
}

/** `smtp://` or `smtps://`, as the setting MESH_SMTP_URL takes it. */
export const SMTP_URL_PATTERN = /^smtps?:\/\/[^\s/]+(:\d+)?\/?(\?\S*)?$/;

/**
 * EmailSender over SMTP with nodemailer: one connection per message (no pool to go stale between
 * the rare emails). A message the server does not accept, or a server that cannot be reached within
 * the timeout, rejects, and the email job is redelivered by its queue (docs/adr/0055).
 */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpEmailSenderOptions) {
    const timeoutMs = options.timeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport({
      url: options.url,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(message: EmailMessage): Promise<void> {
    const info = await this.transport.sendMail({ from: this.options.from, to: message.to, subject: message.subject, text: message.text });
    this.options.logger.info({ to: message.to, subject: message.subject, messageId: info.messageId }, 'email sent over SMTP');
  }

  close(): void {
    this.transport.close();
  }
}
