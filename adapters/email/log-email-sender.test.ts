import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LogEmailSender } from './log-email-sender.js';

const message = (n: number) => ({ to: `user${n}@example.test`, subject: `Subject ${n}`, text: `Body ${n}` });

describe('LogEmailSender', () => {
  it('keeps sent messages in its outbox, oldest first', async () => {
    const sender = new LogEmailSender();

    await sender.send(message(1));
    await sender.send(message(2));

    expect(sender.outbox).toEqual([message(1), message(2)]);
  });

  it('keeps only the latest N messages', async () => {
    const sender = new LogEmailSender({ outboxSize: 2 });

    for (const n of [1, 2, 3]) await sender.send(message(n));

    expect(sender.outbox).toEqual([message(2), message(3)]);
  });

  it('writes each message as one structured log line', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const sender = new LogEmailSender({ logger: pino({ level: 'info' }, sink) });

    await sender.send(message(7));

    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, email: message(7) });
  });

  it('hands out copies: changing the outbox changes nothing kept', async () => {
    const sender = new LogEmailSender();
    const sent = message(1);
    await sender.send(sent);

    Object.assign(sent, { to: 'someone@else.test' });
    Object.assign(sender.outbox[0]!, { subject: 'changed' });

    expect(sender.outbox).toEqual([message(1)]);
  });
});
