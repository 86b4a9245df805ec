import { describe, expect, it } from 'vitest';
import { checkEmail, checkName, checkPassword, checkRequired } from './validation.js';

describe('field rules', () => {
  it('accepts passwords of 12 to 128 characters of at least 5 different ones, counting an emoji once', () => {
    expect(checkPassword('password', 'abcdefghijk')).toEqual([{ field: 'password', message: 'must be at least 12 characters' }]);
    expect(checkPassword('password', 'abcdefghijkl')).toEqual([]);
    expect(checkPassword('password', 'correct horse battery')).toEqual([]);
    expect(checkPassword('password', '🔑🔒🗝🔐🔓'.repeat(3))).toEqual([]);
    expect(checkPassword('password', 'abcde'.repeat(25) + 'xyz')).toEqual([]);
    expect(checkPassword('password', '121212121212')).toEqual([{ field: 'password', message: 'must use at least 5 different characters' }]);
    expect(checkPassword('password', 'x'.repeat(129))).toEqual([{ field: 'password', message: 'must be at most 128 characters' }]);
  });

  it('accepts names of 1 to 100 characters after trimming', () => {
    expect(checkName('name', '  ')).toEqual([{ field: 'name', message: 'is required' }]);
    expect(checkName('name', ' A ')).toEqual([]);
    expect(checkName('name', 'n'.repeat(100))).toEqual([]);
    expect(checkName('name', 'n'.repeat(101))).toHaveLength(1);
  });

  it('refuses emails with control, bidi, zero-width or invisible characters', () => {
    const hidden = [
      '\u0000',
      '\u202E',
      '\u202A',
      '\u2066',
      '\u2069',
      '\u200B',
      '\u200D',
      '\u200E',
      '\u2060',
      '\u2064',
      '\uFEFF',
      '\u00AD',
      '\u3164',
      '\uFE0F',
    ];
    for (const character of hidden) {
      expect(checkEmail('email', `ad${character}a@example.org`)).toEqual([
        { field: 'email', message: 'must not contain control, bidirectional or invisible characters' },
      ]);
    }
  });

  it('refuses look-alikes: a script mixed within a part, full-width and other compatibility characters', () => {
    // A Cyrillic а (U+0430) among Latin letters, in the domain and in the local part.
    expect(checkEmail('email', 'ada@p\u0430ypal.com')).toEqual([
      { field: 'email', message: 'must not mix scripts within a part (look-alike characters)' },
    ]);
    expect(checkEmail('email', '\u0430da@example.org')).toHaveLength(1);
    expect(checkEmail('email', 'ada@\uFF45xample.org')).toEqual([
      { field: 'email', message: 'must not contain full-width or other compatibility characters' },
    ]);
    // Single-script internationalised addresses pass, as do composed and decomposed accents alike.
    expect(checkEmail('email', 'δοκιμή@παράδειγμα.δοκιμή')).toEqual([]);
    expect(checkEmail('email', 'josé@exämple.org')).toEqual([]);
    expect(checkEmail('email', 'jose\u0301@example.org')).toEqual([]);
    expect(checkEmail('email', '山田@例え.jp')).toEqual([]);
  });

  it('refuses whole-script look-alikes of Latin words unless the domain is of that script, and letters of uncommon scripts', () => {
    // аррӏе: Cyrillic а, р, р, ӏ, е; раураӏ: Cyrillic р, а, у, а, ӏ; ορ: Greek omicron and rho.
    for (const email of ['ada@аррӏе.com', 'рауаӏ@example.com', 'ada@аррӏе-2.org', 'ada@ορ.net']) {
      expect(checkEmail('email', email)).toEqual([
        { field: 'email', message: 'must not be written in letters that only look Latin (look-alike characters)' },
      ]);
    }
    // Cherokee Ꭺ and Lisu ꓮ look like a Latin A; one label of both is no better.
    expect(checkEmail('email', 'ada@Ꭺꓮ.com')).toEqual([{ field: 'email', message: 'must be written in scripts in common use' }]);
    expect(checkEmail('email', 'Ꭺda@example.com')).toHaveLength(1);
    // Legitimate internationalised addresses: look-alike letters under a top-level domain of their own script,
    // Cyrillic words with letters Latin lacks (яндекс), Japanese mixing Han and kana, Korean, Hindi.
    expect(checkEmail('email', 'ada@сосо.рф')).toEqual([]);
    expect(checkEmail('email', 'сергей@яндекс.com')).toEqual([]);
    expect(checkEmail('email', 'やまだ太郎@例え.テスト')).toEqual([]);
    expect(checkEmail('email', '홍길동@도메인.한국')).toEqual([]);
    expect(checkEmail('email', 'राम@उदाहरण.भारत')).toEqual([]);
    expect(checkEmail('email', 'ada2@example-1.org')).toEqual([]);
  });

  it('accepts plausible email addresses only', () => {
    expect(checkEmail('email', ' Ada@Example.org ')).toEqual([]);
    expect(checkEmail('email', 'ada@localhost')).toHaveLength(1);
    expect(checkEmail('email', 'a da@example.org')).toHaveLength(1);
    expect(checkEmail('email', `${'a'.repeat(250)}@x.io`)).toEqual([{ field: 'email', message: 'must be at most 254 characters' }]);
  });

  it('treats a missing or non-text value as missing rather than throwing', () => {
    expect(checkEmail('email', undefined)).toEqual([{ field: 'email', message: 'is required' }]);
    expect(checkPassword('password', 12345678)).toEqual([{ field: 'password', message: 'is required' }]);
    expect(checkName('name', null)).toEqual([{ field: 'name', message: 'is required' }]);
    expect(checkRequired('userId', {})).toEqual([{ field: 'userId', message: 'is required' }]);
  });
});
