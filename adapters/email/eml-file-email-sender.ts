import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailMessage, EmailSender } from '../../core/auth/ports.js';
import type { Logger } from '../observability/logger.js';

export interface EmlFileEmailSenderOptions {
  /** Where the messages go, one `.eml` file each (created when missing). */
  readonly directory: string;
  readonly from: string;
  readonly logger: Logger;
  readonly now?: () => number;
}

/**
 * EmailSender for a mesh without SMTP (MESH_SMTP_URL unset): each message, built exactly as it would
 * be sent (RFC 5322, by nodemailer), is written to `<directory>/<time>-<id>.eml`, which any mail
 * program opens. Written to a temporary name and renamed, so a reader never sees half a message.
 */
export class EmlFileEmailSender implements EmailSender {
  private readonly composer: Transporter;
  private readonly now: () => number;

  constructor(private readonly options: EmlFileEmailSenderOptions) {
    this.composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    this.now = options.now ?? Date.now;
  }

  async send(message: EmailMessage): Promise<void> {
    const built = (await this.composer.sendMail({
      from: this.options.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
    })) as { message: Buffer };
    await mkdir(this.options.directory, { recursive: true });
    const name = `${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
    const file = join(this.options.directory, name);
    await writeFile(`${file}.tmp`, built.message, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    this.options.logger.info({ to: message.to, subject: message.subject, file }, 'email written to a file (no MESH_SMTP_URL)');
  }
}
