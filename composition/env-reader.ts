import { readRedisConfig, type RedisConfig } from '../adapters/redis/redis-config.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads environment variables for `loadConfig`: each reader returns the value, or the fallback
 * after recording what is wrong with the variable, so every problem is reported at once.
 */
export class EnvReader {
  constructor(
    private readonly env: Env,
    readonly problems: string[],
  ) {}

  /** The trimmed value; undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  isSet(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}; got '${value}'`);
      return fallback;
    }
    return Number(value);
  }

  /** `true`/`1` or `false`/`0`; unset is false. */
  flag(name: string): boolean {
    const value = this.raw(name);
    if (value === undefined || value === 'false' || value === '0') return false;
    if (value === 'true' || value === '1') return true;
    this.problems.push(`${name} must be true or false; got '${value}'`);
    return false;
  }

  port(name: string, fallback: number): number {
    return this.integer(name, fallback, 0, 65_535);
  }

  optionalPort(name: string): number | undefined {
    return this.isSet(name) ? this.port(name, 0) : undefined;
  }

  powerOfTwo(name: string, fallback: number, min: number, max: number): number {
    const value = this.integer(name, fallback, min, max);
    if ((value & (value - 1)) !== 0) {
      this.problems.push(`${name} must be a power of two; got '${value}'`);
      return fallback;
    }
    return value;
  }

  host(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^[A-Za-z0-9.\-:[\]]+$/.test(value)) {
      this.problems.push(`${name} must be a host name or IP address; got '${value}'`);
      return fallback;
    }
    return value;
  }

  address(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(value)) {
      this.problems.push(`${name} must be host:port; got '${value}'`);
      return fallback;
    }
    return value;
  }

  path(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalPath(name: string): string | undefined {
    return this.raw(name);
  }

  postgresUrl(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!/^postgres(ql)?:\/\/\S+$/.test(value)) {
      this.problems.push(`${name} must be a postgres:// or postgresql:// URL; got '${value.replace(/:[^:@/]*@/, ':***@')}'`);
      return undefined;
    }
    return value;
  }

  redis(): RedisConfig | undefined {
    const redis = readRedisConfig(this.env);
    if (redis.ok) return redis.value;
    this.problems.push(...redis.error);
    return undefined;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}; got '${value}'`);
      return fallback;
    }
    return value as T;
  }

  list(name: string): string[] {
    return (this.raw(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
}
