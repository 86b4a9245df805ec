/**
 * One configuration setting: the environment variable, what a value must look like, the value when
 * unset and what it does. The catalogue (`catalogue.ts`) is a tree of these; reading it, `--help`
 * and docs/configuration.md all come from that one tree (docs/adr/0028).
 */
export class Setting<T> {
  constructor(
    readonly env: string,
    /** What the setting does, one or two sentences. */
    readonly description: string,
    /** The value when the variable is unset or blank. */
    readonly fallback: T,
    /** How the default reads in `--help` and the docs. */
    readonly defaultText: string,
    /** What a value must look like, in a few words. */
    readonly expects: string,
    /** The value, or what is wrong with `text` (a phrase following the variable's name). */
    readonly parse: (text: string) => Parsed<T>,
    /** Shown as `***` in problems. */
    readonly secret = false,
    /** Surrounding blanks are part of the value (a password); otherwise they are trimmed. */
    readonly keepBlanks = false,
  ) {}
}

export type Parsed<T> = { readonly value: T } | { readonly problem: string };

/** A node of the catalogue: a setting, or a group of nodes. */
export type SettingTree = Setting<unknown> | { readonly [key: string]: SettingTree };

/** The values a tree of settings reads to: the same shape, each setting replaced by its value. */
export type SettingValues<T> = T extends Setting<infer V> ? V : { readonly [K in keyof T]: SettingValues<T[K]> };

const got = (text: string) => `got '${text}'`;

export interface IntegerOptions {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** The value is multiplied by this (`SECONDS` variables read into milliseconds). */
  readonly times?: number;
  readonly unit?: string;
}

export const integer = (env: string, options: IntegerOptions, description: string): Setting<number> => {
  const times = options.times ?? 1;
  const range = `integer from ${options.min} to ${options.max}`;
  return new Setting<number>(
    env,
    description,
    options.default * times,
    withUnit(options.default, options.unit),
    `${range}${options.unit ? ` (${options.unit})` : ''}`,
    (text) =>
      /^\d+$/.test(text) && Number(text) >= options.min && Number(text) <= options.max
        ? { value: Number(text) * times }
        : { problem: `must be an ${range}; ${got(text)}` },
  );
};

const withUnit = (value: number, unit: string | undefined) => (unit ? `${value} ${unit}` : String(value));

/** An integer that is a power of two. */
export const powerOfTwo = (env: string, options: IntegerOptions, description: string): Setting<number> => {
  const base = integer(env, options, description);
  return new Setting(env, description, base.fallback, base.defaultText, `power of two from ${options.min} to ${options.max}`, (text) => {
    const parsed = base.parse(text);
    if ('problem' in parsed) return parsed;
    return (parsed.value & (parsed.value - 1)) === 0 ? parsed : { problem: `must be a power of two; ${got(text)}` };
  });
};

export const port = (env: string, fallback: number, description: string): Setting<number> =>
  integer(env, { default: fallback, min: 0, max: 65_535 }, description);

export const optionalPort = (env: string, description: string): Setting<number | undefined> => {
  const base = port(env, 0, description);
  return new Setting<number | undefined>(env, description, undefined, 'unset', base.expects, base.parse);
};

/** `true`/`1` or `false`/`0`; unset is false. */
export const flag = (env: string, description: string): Setting<boolean> =>
  new Setting<boolean>(env, description, false, 'false', 'true or false', (text) =>
    text === 'true' || text === '1'
      ? { value: true }
      : text === 'false' || text === '0'
        ? { value: false }
        : { problem: `must be true or false; ${got(text)}` },
  );

export const oneOf = <const V extends string, D extends V | undefined = V>(
  env: string,
  allowed: readonly V[],
  fallback: D,
  description: string,
): Setting<V | D> =>
  new Setting<V | D>(env, description, fallback, fallback ?? 'unset', allowed.join(' | '), (text) =>
    (allowed as readonly string[]).includes(text)
      ? { value: text as V }
      : { problem: `must be one of ${allowed.join(', ')}; ${got(text)}` },
  );

/** `on`/`off` read as a boolean. */
export const onOff = (env: string, fallback: boolean, description: string): Setting<boolean> => {
  const base = oneOf(env, ['on', 'off'] as const, fallback ? 'on' : 'off', description);
  return new Setting(env, description, fallback, base.defaultText, base.expects, (text) => {
    const parsed = base.parse(text);
    return 'problem' in parsed ? parsed : { value: parsed.value === 'on' };
  });
};

export interface TextOptions<D extends string | undefined> {
  readonly default: D;
  /** How a default computed from other settings reads (`MESH_BIND_HOST`, ...). */
  readonly defaultText?: string;
  readonly pattern?: RegExp;
  readonly expects?: string;
  readonly secret?: boolean;
  /** Smallest length accepted. */
  readonly minLength?: number;
  /** Keep surrounding blanks (a password may have them). */
  readonly keepBlanks?: boolean;
}

/** A string; `pattern` and `minLength` validate it. */
export const text = <D extends string | undefined>(env: string, options: TextOptions<D>, description: string): Setting<string | D> => {
  const expects = options.expects ?? (options.minLength ? `at least ${options.minLength} characters` : 'text');
  const shown = (value: string) => (options.secret ? '***' : value);
  return new Setting<string | D>(
    env,
    description,
    options.default,
    options.defaultText ?? (options.default === undefined ? 'unset' : options.default),
    expects,
    (value) => {
      if (options.minLength !== undefined && value.length < options.minLength)
        return { problem: `must be at least ${options.minLength} characters` };
      if (options.pattern && !options.pattern.test(value)) return { problem: `must be ${expects}; ${got(shown(value))}` };
      return { value };
    },
    options.secret ?? false,
    options.keepBlanks ?? false,
  );
};

export const host = <D extends string | undefined>(
  env: string,
  fallback: D,
  description: string,
  defaultText?: string,
): Setting<string | D> =>
  text(env, { default: fallback, defaultText, pattern: /^[A-Za-z0-9.\-:[\]]+$/, expects: 'a host name or IP address' }, description);

/** `host:port`. */
export const address = (env: string, defaultText: string, description: string): Setting<string | undefined> =>
  text(env, { default: undefined, defaultText, pattern: /^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, expects: 'host:port' }, description);

/** A PostgreSQL URL; the password is masked in problems. */
export const postgresUrl = (env: string, description: string, defaultText = 'unset'): Setting<string | undefined> =>
  new Setting<string | undefined>(env, description, undefined, defaultText, 'postgres://user:password@host:port/database', (value) =>
    /^postgres(ql)?:\/\/\S+$/.test(value)
      ? { value }
      : { problem: `must be a postgres:// or postgresql:// URL; ${got(value.replace(/:[^:@/]*@/, ':***@'))}` },
  );

/** A comma-separated list; blanks are dropped, `normalise` maps each item, `check` accepts it. */
export const list = (
  env: string,
  options: { readonly expects: string; readonly check?: (item: string) => boolean; readonly normalise?: (item: string) => string },
  description: string,
): Setting<readonly string[]> =>
  new Setting<readonly string[]>(env, description, [], 'empty', `comma-separated ${options.expects}`, (value) => {
    const items = splitList(value).map(options.normalise ?? ((item) => item));
    const bad = items.filter((item) => options.check !== undefined && !options.check(item));
    return bad.length > 0 ? { problem: `entries must be ${options.expects}; ${got(bad.join("', '"))}` } : { value: items };
  });

export const splitList = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** A setting read by a parser of its own (lists with a grammar, maps). */
export const custom = <T>(
  env: string,
  options: { readonly default: T; readonly defaultText: string; readonly expects: string; readonly secret?: boolean },
  parse: (text: string) => Parsed<T>,
  description: string,
): Setting<T> => new Setting(env, description, options.default, options.defaultText, options.expects, parse, options.secret ?? false);
