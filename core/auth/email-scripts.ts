/**
 * Which scripts an email address may be written in (docs/adr/0035, SECURITY.md): rules after the
 * Unicode identifier profile of UTS #39 and the IDN display policy browsers apply, so that an address
 * cannot pass for another one (`pаypal` with a Cyrillic `а`, an all-Cyrillic `аррӏе`).
 */

/** The scripts UTS #39 recommends for identifiers (Table 5); letters of other scripts (Cherokee, Lisu, Coptic, ...) are refused. */
const RecommendedScripts = [
  'Arabic',
  'Armenian',
  'Bengali',
  'Bopomofo',
  'Cyrillic',
  'Devanagari',
  'Ethiopic',
  'Georgian',
  'Greek',
  'Gujarati',
  'Gurmukhi',
  'Han',
  'Hangul',
  'Hebrew',
  'Hiragana',
  'Kannada',
  'Katakana',
  'Khmer',
  'Lao',
  'Latin',
  'Malayalam',
  'Myanmar',
  'Oriya',
  'Sinhala',
  'Tamil',
  'Telugu',
  'Thaana',
  'Thai',
  'Tibetan',
] as const;

const scriptPatterns = RecommendedScripts.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);

/** Digits, punctuation and combining marks shared by every script. */
const Shared = /[\p{Script=Common}\p{Script=Inherited}]/u;

/** UTS #39 augmented script sets: Han is also written beside kana (Japanese), Hangul (Korean) and Bopomofo (Chinese). */
const augmented: Readonly<Record<string, readonly string[]>> = {
  Han: ['Han', 'Japanese', 'Korean', 'Chinese'],
  Hiragana: ['Japanese'],
  Katakana: ['Japanese'],
  Hangul: ['Korean'],
  Bopomofo: ['Chinese'],
};

/**
 * Letters of Cyrillic and Greek that look like Latin letters: a part written only in these is a
 * whole-script look-alike of a Latin word (`аррӏе`), after the list browsers use to show such a
 * domain as punycode.
 */
const LatinLookAlikes: Readonly<Record<string, RegExp>> = {
  Cyrillic: /^[асԁеһіјӏорԛѕԝхуъьҽпгѵѡ]+$/u,
  Greek: /^[αικνορυχ]+$/u,
};

export type ScriptProblem = 'uncommon_script' | 'mixed_scripts' | 'latin_look_alike';

const scriptOf = (character: string): string | undefined => scriptPatterns.find(([, pattern]) => pattern.test(character))?.[0];

/** The script sets a part's characters share (empty: they share none), or `uncommon_script`. */
const scriptsOf = (part: string): ReadonlySet<string> | 'uncommon_script' => {
  let shared: Set<string> | undefined;
  for (const character of part) {
    if (Shared.test(character)) continue;
    const script = scriptOf(character);
    if (!script) return 'uncommon_script';
    const sets = augmented[script] ?? [script];
    shared = shared ? new Set(sets.filter((set) => shared!.has(set))) : new Set(sets);
  }
  return shared ?? new Set();
};

/**
 * What is wrong with the scripts of an address (NFC, already free of invisible characters), or
 * undefined: every character of a script in common use; the local part and each domain label in one
 * script; and no part made only of Cyrillic or Greek letters that look Latin unless the top-level
 * domain is written in that script too (`сосо.рф` is Russian; `аррӏе.com` pretends to be `apple.com`).
 */
export const scriptProblemOf = (address: string): ScriptProblem | undefined => {
  const lower = address.toLowerCase();
  const at = lower.lastIndexOf('@');
  const parts = [lower.slice(0, at), ...lower.slice(at + 1).split('.')];
  const topLevel = scriptsOf(parts.at(-1)!);
  for (const part of parts) {
    const scripts = scriptsOf(part);
    if (scripts === 'uncommon_script') return 'uncommon_script';
    if (scripts.size === 0 && [...part].some((character) => !Shared.test(character))) return 'mixed_scripts';
    for (const [script, lookAlike] of Object.entries(LatinLookAlikes)) {
      const letters = [...part].filter((character) => /\p{L}/u.test(character)).join('');
      const sameScriptDomain = topLevel !== 'uncommon_script' && topLevel.has(script);
      if (scripts.has(script) && lookAlike.test(letters) && !sameScriptDomain) return 'latin_look_alike';
    }
  }
  return undefined;
};
