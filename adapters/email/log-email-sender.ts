import type { EmailMessage, EmailSender } from '../../core/auth/ports.js';
import { createLogger, type Logger } from '../observability/logger.js';

export interface LogEmailSenderOptions {
  readonly logger?: Logger;
  /** How many of the latest messages `outbox` keeps. Default 100. */
  readonly outboxSize?: number;
}

/**
 * The default EmailSender: delivers nothing, writes each message as one structured log line and
 * keeps the latest ones in `outbox` (for development and tests). Never rejects.
 */
export class LogEmailSender implements EmailSender {
  private readonly logger: Logger;
  private readonly outboxSize: number;
  private readonly sent: EmailMessage[] = [];

  constructor(options: LogEmailSenderOptions = {}) {
    this.logger = options.logger ?? createLogger('email');
    this.outboxSize = Math.max(1, options.outboxSize ?? 100);
  }

  /** The latest messages sent, oldest first (copies). */
  get outbox(): readonly EmailMessage[] {
    return this.sent.map((message) => ({ ...message }));
  }

  async send(message: EmailMessage): Promise<void> {
    const copy = { to: message.to, subject: message.subject, text: message.text };
    this.sent.push(copy);
    if (this.sent.length > this.outboxSize) this.sent.splice(0, this.sent.length - this.outboxSize);
    this.logger.info({ email: copy }, 'email sent to log outbox');
  }
}
