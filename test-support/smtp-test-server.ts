import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { findFreePorts } from './free-ports.js';

/** A message as it arrived, parsed: envelope recipients and the parsed RFC 5322 message. */
export interface ReceivedMail {
  readonly envelopeTo: readonly string[];
  readonly login: string | undefined;
  readonly parsed: ParsedMail;
}

/** A real SMTP server (npm `smtp-server`) on a free loopback port, for tests of what meshwork sends. */
export interface SmtpTestServer {
  readonly port: number;
  /** `smtp://tester:secret@127.0.0.1:<port>`: the URL meshwork's MESH_SMTP_URL takes. */
  readonly url: string;
  /** Every message accepted so far, in arrival order. */
  readonly received: readonly ReceivedMail[];
  /** Messages whose DATA has arrived but which are held unanswered (see `hold`), their senders still connected or not. */
  readonly held: number;
  /** Held messages whose sender is still connected: `release()` would accept them. */
  readonly heldFromConnectedSenders: number;
  /** From now on, answer no DATA until `release()`: the sender waits with the message in hand. */
  hold(): void;
  /** Accepts the held messages (unless their sender went away meanwhile) and stops holding. */
  release(): void;
  /** Stops listening (connections in progress are ended). Idempotent. */
  close(): Promise<void>;
  /** Listens again on the same port after `close()`. */
  reopen(): Promise<void>;
}

export const startSmtpTestServer = async (): Promise<SmtpTestServer> => {
  const received: ReceivedMail[] = [];
  const waiting: { readonly session: string; readonly accept: () => void }[] = [];
  const gone = new Set<string>();
  let holding = false;
  let server: SMTPServer | undefined;

  const create = () =>
    new SMTPServer({
      // Loopback, no TLS: the client upgrades only when offered STARTTLS.
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === 'tester' && auth.password === 'secret') callback(null, { user: auth.username });
        else callback(new Error('invalid credentials'));
      },
      onClose: (session) => {
        gone.add(session.id);
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const accept = () => {
              received.push({
                envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
                login: typeof session.user === 'string' ? session.user : undefined,
                parsed,
              });
              callback();
            };
            if (holding) waiting.push({ session: session.id, accept });
            else accept();
          })
          .catch((error: Error) => callback(error));
      },
    });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server = create();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });

  let port = 0;
  for (let attempt = 0; ; attempt += 1) {
    [port] = (await findFreePorts(1)) as [number];
    try {
      await listen(port);
      break;
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }

  const close = async () => {
    const closing = server;
    server = undefined;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  return {
    port,
    url: `smtp://tester:secret@127.0.0.1:${port}`,
    get received() {
      return received;
    },
    get held() {
      return waiting.length;
    },
    get heldFromConnectedSenders() {
      return waiting.filter(({ session }) => !gone.has(session)).length;
    },
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const { session, accept } of waiting.splice(0)) if (!gone.has(session)) accept();
    },
    close,
    reopen: () => listen(port),
  };
};
