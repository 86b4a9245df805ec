import { createHmac, timingSafeEqual } from 'node:crypto';

/** The client address the gateway passes on to auth, signed: `<address>;<unix seconds>;<HMAC-SHA256, base64url>`. */
export const FORWARDED_ADDRESS_HEADER = 'x-meshwork-client-address';

/** How old a signed address may be: it is made for one forwarded request. */
const MaxAgeSeconds = 30;

/**
 * Signs and checks the client address a proxy of the mesh forwards, under a key both sides share
 * (`MESH_FORWARDING_KEY`). Auth believes only a signed address, so no caller that can reach its port
 * can pick the address its login attempts are counted against (docs/adr/0035).
 */
export class ForwardedAddressSigner {
  constructor(
    private readonly key: string,
    private readonly nowMs: () => number = Date.now,
  ) {
    if (key.length < 32) throw new RangeError('a forwarding key needs at least 32 characters');
  }

  sign(address: string): string {
    const at = Math.floor(this.nowMs() / 1000);
    return `${address};${at};${this.mac(address, at)}`;
  }

  /** The address of a header this key signed in the last 30 seconds; otherwise undefined. */
  verify(header: string | undefined): string | undefined {
    if (typeof header !== 'string') return undefined;
    const [address = '', at = '', mac = '', ...rest] = header.split(';');
    if (rest.length > 0 || address === '' || !/^\d{1,12}$/.test(at)) return undefined;
    const age = Math.floor(this.nowMs() / 1000) - Number(at);
    if (age < -MaxAgeSeconds || age > MaxAgeSeconds) return undefined;
    const expected = Buffer.from(this.mac(address, Number(at)));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? address : undefined;
  }

  private mac(address: string, at: number): string {
    return createHmac('sha256', this.key).update(`${address};${at}`).digest('base64url');
  }
}
