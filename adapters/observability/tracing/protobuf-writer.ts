import type { HrTime } from '@opentelemetry/api';

/** Protobuf wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

/** From this length on a string is copied by Buffer's native encoder; a shorter one by a loop here, which is faster below it. */
const NATIVE_FROM = 24;

/** A protobuf writer over one growing byte array; a length-delimited field reserves one byte for its length and shifts when it needs more. */
export class ProtobufWriter {
  private bytes: Buffer;
  private view: DataView;
  pos = 0;

  constructor(initialSize: number) {
    // Not zero-filled: every byte up to `pos` is written before it is read.
    this.bytes = Buffer.allocUnsafeSlow(Math.max(initialSize, 64));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }

  finish(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }

  private ensure(more: number): void {
    if (this.pos + more <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.pos + more) size *= 2;
    const grown = Buffer.allocUnsafeSlow(size);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  tag(field: number, wireType: number): void {
    this.varint32((field << 3) | wireType);
  }

  /** An unsigned value below 2^32. */
  varint32(value: number): void {
    this.ensure(5);
    const bytes = this.bytes;
    let at = this.pos;
    let v = value >>> 0;
    while (v > 0x7f) {
      bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    bytes[at++] = v;
    this.pos = at;
  }

  /** An integer as int64 (a negative one in ten bytes, two's complement), as the SDK writes it. */
  varint64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) {
      this.varint32(value);
      return;
    }
    const magnitude = Math.abs(value);
    let low = magnitude >>> 0;
    let high = (magnitude / 0x100000000) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    this.ensure(10);
    while (high > 0 || low > 0x7f) {
      this.bytes[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.bytes[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  /** Nanoseconds since the epoch of `[seconds, nanoseconds]`, exactly, without BigInt. */
  hrTime(time: HrTime): void {
    this.time(time[0], time[1]);
  }

  /**
   * Nanoseconds since the epoch of `origin` (whole seconds and nanoseconds) plus `ms` milliseconds, as `hrTime` after adding them.
   * The same carry as `hrTimeOf` in mesh-tracer.ts, written out here so that encoding a span makes no [seconds, nanos] array.
   */
  timeAfter(originSeconds: number, originNanos: number, ms: number): void {
    const whole = Math.trunc(ms / 1000);
    let nanos = originNanos + Math.round((ms - whole * 1000) * 1e6);
    let seconds = originSeconds + whole;
    if (nanos >= 1e9) {
      nanos -= 1e9;
      seconds += 1;
    } else if (nanos < 0) {
      nanos += 1e9;
      seconds -= 1;
    }
    this.time(seconds, nanos);
  }

  private time(seconds: number, nanos: number): void {
    const lowSeconds = (seconds & 0xffff) * 1e9;
    const highSeconds = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (lowSeconds >>> 0) + (((highSeconds & 0xffff) * 0x10000) >>> 0) + nanos;
    const high = Math.floor(lowSeconds / 0x100000000) + ((highSeconds / 0x10000) >>> 0) + Math.floor(low / 0x100000000);
    this.ensure(8);
    this.view.setUint32(this.pos, low >>> 0, true);
    this.view.setUint32(this.pos + 4, high >>> 0, true);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  string(text: string): void {
    const length = text.length;
    if (length >= NATIVE_FROM) {
      this.utf8(text);
      return;
    }
    const start = this.pos;
    this.varint32(length);
    this.ensure(length);
    if (this.ascii(text)) return;
    this.pos = start;
    this.utf8(text);
  }

  /** `text` in UTF-8, length-prefixed, by Buffer's encoder: room for the longest encoding, the prefix moved should it need more bytes. */
  private utf8(text: string): void {
    const guess = varintSize(text.length);
    this.ensure(5 + text.length * 3);
    const written = this.bytes.write(text, this.pos + guess, 'utf8');
    const size = varintSize(written);
    if (size !== guess) this.bytes.copyWithin(this.pos + size, this.pos + guess, this.pos + guess + written);
    this.varint32(written);
    this.pos += written;
  }

  /**
   * A KeyValue of two ASCII strings (most attributes) with its length, written in one pass; false,
   * writing nothing, when either is not ASCII.
   */
  asciiKeyValue(key: string, value: string): boolean {
    // KeyValue { key = 1 (string); value = 2 (AnyValue { string_value = 1 }) }
    const anyValue = 1 + varintSize(value.length) + value.length;
    const keyValue = 1 + varintSize(key.length) + key.length + 1 + varintSize(anyValue) + anyValue;
    const start = this.pos;
    this.varint32(keyValue);
    this.ensure(keyValue);
    this.tag(1, LEN);
    this.varint32(key.length);
    if (!this.ascii(key)) {
      this.pos = start;
      return false;
    }
    this.tag(2, LEN);
    this.varint32(anyValue);
    this.tag(1, LEN);
    this.varint32(value.length);
    if (value.length >= NATIVE_FROM) {
      // Room for any encoding, so nothing is cut short: as many bytes as characters then means ASCII.
      this.ensure(value.length * 3);
      const written = this.bytes.write(value, this.pos, 'utf8');
      if (written === value.length) {
        this.pos += written;
        return true;
      }
      this.pos = start;
      return false;
    }
    if (!this.ascii(value)) {
      this.pos = start;
      return false;
    }
    return true;
  }

  /** The bytes written from `start` to here, as a copy. */
  copySince(start: number): Uint8Array {
    return Uint8Array.prototype.slice.call(this.bytes, start, this.pos);
  }

  /** Copies `text` if it is all ASCII (room ensured by the caller), else writes nothing and answers false. */
  private ascii(text: string): boolean {
    const bytes = this.bytes;
    const at = this.pos;
    const length = text.length;
    for (let i = 0; i < length; i += 1) {
      const code = text.charCodeAt(i);
      if (code > 0x7f) return false;
      bytes[at + i] = code;
    }
    this.pos = at + length;
    return true;
  }

  /** The bytes of a hex id (trace, span), length-prefixed. */
  hexId(hex: string): void {
    const length = hex.length >>> 1;
    this.varint32(length);
    this.ensure(length);
    const bytes = this.bytes;
    const at = this.pos;
    for (let i = 0; i < length; i += 1) bytes[at + i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
    this.pos = at + length;
  }

  /** `bytes` as they are, length-prefixed when `prefixed`. */
  raw(bytes: Uint8Array, prefixed: boolean): void {
    if (prefixed) this.varint32(bytes.length);
    this.ensure(bytes.length);
    this.bytes.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Starts a length-delimited value; `endLength` writes its length. */
  startLength(): number {
    this.ensure(1);
    this.pos += 1;
    return this.pos;
  }

  endLength(start: number): void {
    const length = this.pos - start;
    const size = varintSize(length);
    if (size > 1) {
      this.ensure(size - 1);
      this.bytes.copyWithin(start + size - 1, start, this.pos);
      this.pos += size - 1;
    }
    let at = start - 1;
    let v = length;
    while (v > 0x7f) {
      this.bytes[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[at] = v;
  }
}

const nibble = (code: number): number => (code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57);

const varintSize = (value: number): number => (value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5);
