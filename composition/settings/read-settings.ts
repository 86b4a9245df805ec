import { Setting, type SettingTree, type SettingValues } from './setting.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface SettingsRead<T> {
  readonly values: SettingValues<T>;
  /** One line per bad variable: the name, what it must be, what it was. */
  readonly problems: readonly string[];
}

/**
 * Reads every setting of `tree` from `env`: an unset or blank variable takes its default, a bad one
 * its default plus a problem, so that every problem is found in one pass.
 */
export const readSettings = <T extends SettingTree>(tree: T, env: Env): SettingsRead<T> => {
  const problems: string[] = [];
  const read = (node: SettingTree): unknown => {
    if (node instanceof Setting) {
      const raw = node.keepBlanks ? env[node.env] : env[node.env]?.trim();
      if (raw === undefined || raw.trim() === '') return node.fallback;
      const parsed = node.parse(raw);
      if ('value' in parsed) return parsed.value;
      problems.push(`${node.env} ${parsed.problem}`);
      return node.fallback;
    }
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, read(child)]));
  };
  return { values: read(tree) as SettingValues<T>, problems };
};

/** Every setting of a tree, in catalogue order. */
export const settingsOf = (tree: SettingTree): Setting<unknown>[] =>
  tree instanceof Setting ? [tree] : Object.values(tree).flatMap(settingsOf);
