/** The 24 bytes every HTTP/2 client sends first (RFC 9113 §3.4), with or without prior knowledge. */
export const HTTP2_PREFACE: Buffer = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export type SniffedProtocol = 'http2' | 'http1' | 'undecided';

/**
 * Decides the protocol of a cleartext connection from the bytes received so far: `http2` once the
 * whole preface has arrived, `http1` as soon as a byte differs from it, `undecided` while what has
 * arrived is a strict prefix of the preface (the client may send it in several segments).
 */
export const sniffProtocol = (received: Uint8Array): SniffedProtocol => {
  const compared = Math.min(received.length, HTTP2_PREFACE.length);
  for (let i = 0; i < compared; i++) {
    if (received[i] !== HTTP2_PREFACE[i]) return 'http1';
  }
  return received.length >= HTTP2_PREFACE.length ? 'http2' : 'undecided';
};
