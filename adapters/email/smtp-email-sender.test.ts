import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePorts } from '../../test-support/free-ports.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../test-support/smtp-test-server.js';
import { testLogger } from '../../test-support/test-logger.js';
import { EmlFileEmailSender } from './eml-file-email-sender.js';
import { SMTP_URL_PATTERN, SmtpEmailSender } from './smtp-email-sender.js';

const logger = testLogger('email');
const message = { to: 'ada@example.com', subject: 'Welcome to meshwork — ünïcode', text: 'Hello Ada,\n\nYour account is ready.' };

describe('SmtpEmailSender against a real SMTP server', () => {
  let smtp: SmtpTestServer;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
  });

  afterAll(async () => {
    await smtp?.close();
  });

  it('delivers the message with its sender, recipient, subject and text, logged in with the credentials of the URL', async () => {
    const sender = new SmtpEmailSender({ url: smtp.url, from: 'meshwork <no-reply@meshwork.test>', logger });

    await sender.send(message);

    const mail = smtp.received.at(-1);
    expect(mail?.envelopeTo).toEqual(['ada@example.com']);
    expect(mail?.login).toBe('tester');
    expect(mail?.parsed.from?.value).toEqual([{ address: 'no-reply@meshwork.test', name: 'meshwork' }]);
    expect(mail?.parsed.subject).toBe(message.subject);
    expect(mail?.parsed.text?.trim()).toBe(message.text);
    sender.close();
  });

  it('rejects when the server refuses the login, so the job is tried again', async () => {
    const sender = new SmtpEmailSender({ url: smtp.url.replace('secret', 'wrong'), from: 'no-reply@meshwork.test', logger });

    await expect(sender.send(message)).rejects.toThrow(/invalid credentials|Invalid login/i);
    sender.close();
  });

  it('rejects when nothing listens at the URL', async () => {
    const [closed] = await findFreePorts(1);
    const sender = new SmtpEmailSender({ url: `smtp://127.0.0.1:${closed}`, from: 'no-reply@meshwork.test', logger, timeoutMs: 2_000 });

    await expect(sender.send(message)).rejects.toThrow(/ECONNREFUSED/);
    sender.close();
  });

  it('takes smtp:// and smtps:// URLs only', () => {
    expect(
      ['smtp://mail:25', 'smtps://user:pass@mail.example.com:465', 'smtp://127.0.0.1:2525/'].every((url) => SMTP_URL_PATTERN.test(url)),
    ).toBe(true);
    expect(['http://mail:25', 'mail:25', 'smtp://', 'smtp://a b:25'].some((url) => SMTP_URL_PATTERN.test(url))).toBe(false);
  });
});

describe('EmlFileEmailSender', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'meshwork-eml-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes each message as an .eml file a mail program reads, creating the directory', async () => {
    const sender = new EmlFileEmailSender({ directory: join(directory, 'mail'), from: 'meshwork <no-reply@meshwork.test>', logger });

    await sender.send(message);
    await sender.send({ ...message, to: 'bob@example.com' });

    const files = (await readdir(join(directory, 'mail'))).sort();
    expect(files).toHaveLength(2);
    expect(files.every((file) => file.endsWith('.eml'))).toBe(true);
    const parsed = await Promise.all(files.map(async (file) => simpleParser(await readFile(join(directory, 'mail', file)))));
    expect(parsed.map((mail) => mail.to && !Array.isArray(mail.to) && mail.to.value[0]?.address).sort()).toEqual([
      'ada@example.com',
      'bob@example.com',
    ]);
    expect(parsed[0]?.subject).toBe(message.subject);
    expect(parsed[0]?.text?.trim()).toBe(message.text);
  });
});
