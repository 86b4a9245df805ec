import { describe, expect, it } from 'vitest';
import { HTTP2_PREFACE, sniffProtocol } from './http2-preface.js';

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('sniffProtocol', () => {
  it('recognises the complete HTTP/2 client preface', () => {
    expect(sniffProtocol(HTTP2_PREFACE)).toBe('http2');
  });

  it('recognises the preface followed by the first frames', () => {
    expect(sniffProtocol(Buffer.concat([HTTP2_PREFACE, bytes('\0\0\0\x04\0\0\0\0\0')]))).toBe('http2');
  });

  it('waits while only a prefix of the preface has arrived', () => {
    expect(sniffProtocol(Buffer.alloc(0))).toBe('undecided');
    expect(sniffProtocol(bytes('P'))).toBe('undecided');
    expect(sniffProtocol(HTTP2_PREFACE.subarray(0, 23))).toBe('undecided');
  });

  it('decides HTTP/1.1 at the first byte that differs from the preface', () => {
    expect(sniffProtocol(bytes('G'))).toBe('http1');
    expect(sniffProtocol(bytes('PU'))).toBe('http1');
    expect(sniffProtocol(bytes('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe('http1');
  });

  it('decides HTTP/1.1 for a request line that only starts like the preface', () => {
    expect(sniffProtocol(bytes('PRI * HTTP/1.1\r\n'))).toBe('http1');
  });
});
