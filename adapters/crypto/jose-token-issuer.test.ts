import { createLocalJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AccessClaims } from '../../core/auth/ports.js';
import { ManualClock } from '../../test-support/core/manual-clock.js';
import { InMemorySigningKeyRepository } from '../memory/in-memory-signing-key-repository.js';
import { JoseTokenIssuer, TokenAudience, TokenIssuerName } from './jose-token-issuer.js';
import { StoredSigningKeys } from './stored-signing-keys.js';

const claimsAt = (clock: ManualClock, overrides: Partial<AccessClaims> = {}): AccessClaims => ({
  userId: 'user-1',
  sessionId: 'session-1',
  email: 'ada@example.test',
  isAdmin: false,
  expiresAt: clock.now() + 15 * 60_000,
  ...overrides,
});

describe('JoseTokenIssuer', () => {
  it('verifies its own token back into the same claims', async () => {
    const clock = new ManualClock();
    const issuer = await JoseTokenIssuer.create({ clock });
    const claims = claimsAt(clock, { isAdmin: true });

    const issued = await issuer.issue(claims);

    expect(issued.expiresAt).toBe(claims.expiresAt);
    expect(await issuer.verify(issued.token)).toEqual({ ok: true, value: claims });
  });

  it('encodes the expiry in whole seconds, rounding down', async () => {
    const clock = new ManualClock();
    const issuer = await JoseTokenIssuer.create({ clock });

    const issued = await issuer.issue(claimsAt(clock, { expiresAt: clock.now() + 1_999 }));

    expect(issued.expiresAt).toBe(clock.now() + 1_000);
  });

  it('signs EdDSA with its kid, issuer meshwork-auth and audience meshwork', async () => {
    const clock = new ManualClock();
    const issuer = await JoseTokenIssuer.create({ clock });

    const { token } = await issuer.issue(claimsAt(clock));

    const keys = await StoredSigningKeys.open({ repository: new InMemorySigningKeyRepository(), clock, verifyRetiredForMs: 60_000 });
    const stored = JoseTokenIssuer.withKeys(clock, keys);
    const { token: storedToken } = await stored.issue(claimsAt(clock));
    const [published] = await keys.published();

    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
    expect(decodeProtectedHeader(storedToken)).toEqual({ alg: 'EdDSA', kid: published?.kid, typ: 'JWT' });
    const { payload } = await jwtVerify(storedToken, createLocalJWKSet({ keys: [published!.jwk] }), {
      issuer: TokenIssuerName,
      audience: TokenAudience,
      currentDate: new Date(clock.now()),
    });
    expect(payload).toMatchObject({ sub: 'user-1', sid: 'session-1', email: 'ada@example.test', adm: false });
  });

  it('publishes only the public key of its stored keys', async () => {
    const keys = await StoredSigningKeys.open({
      repository: new InMemorySigningKeyRepository(),
      clock: new ManualClock(),
      verifyRetiredForMs: 60_000,
    });

    const [key] = await keys.published();

    expect(key?.jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: key?.kid });
    expect(key?.jwk).not.toHaveProperty('d');
  });

  it('reports a token as expired from the moment of its exp, by its clock', async () => {
    const clock = new ManualClock();
    const issuer = await JoseTokenIssuer.create({ clock });
    const { token } = await issuer.issue(claimsAt(clock, { expiresAt: clock.now() + 60_000 }));

    clock.advance(59_000);
    expect((await issuer.verify(token)).ok).toBe(true);
    clock.advance(1_000);
    expect(await issuer.verify(token)).toEqual({ ok: false, error: 'expired' });
  });

  it('reports an altered token and a token of another key as bad_signature, even when expired', async () => {
    const clock = new ManualClock();
    const issuer = await JoseTokenIssuer.create({ clock });
    const other = await JoseTokenIssuer.create({ clock });
    const { token } = await issuer.issue(claimsAt(clock));
    const [header, payload, signature] = token.split('.');
    const altered = `${header}.${payload!.slice(0, -2)}${payload!.endsWith('A') ? 'B' : 'A'}${payload!.slice(-1)}.${signature}`;
    const foreign = await other.issue(claimsAt(clock));

    expect(await issuer.verify(altered)).toEqual({ ok: false, error: 'bad_signature' });
    clock.advance(60 * 60_000);
    expect(await issuer.verify(foreign.token)).toEqual({ ok: false, error: 'bad_signature' });
  });

  it('refuses an unsigned or HMAC token as bad_signature', async () => {
    const clock = new ManualClock();
    const issuer = await JoseTokenIssuer.create({ clock });
    const hmac = await new SignJWT({ sid: 's', email: 'e@x.io', adm: true })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setIssuer(TokenIssuerName)
      .setAudience(TokenAudience)
      .setExpirationTime(Math.floor(clock.now() / 1000) + 60)
      .sign(new Uint8Array(32));
    const [, payload] = hmac.split('.');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;

    expect(await issuer.verify(hmac)).toEqual({ ok: false, error: 'bad_signature' });
    expect(await issuer.verify(unsigned)).toEqual({ ok: false, error: 'bad_signature' });
  });

  it('reports garbage, and a token signed by its key for another audience or without our claims, as malformed', async () => {
    const clock = new ManualClock();
    const issuer = await JoseTokenIssuer.create({ clock });
    const keyPair = await generateEd25519();
    const sameKey = await JoseTokenIssuer.create({ clock, keyPair });
    const exp = Math.floor(clock.now() / 1000) + 60;
    const otherAudience = await new SignJWT({ sid: 's', email: 'e@x.io', adm: false })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('u')
      .setIssuer(TokenIssuerName)
      .setAudience('someone-else')
      .setExpirationTime(exp)
      .sign(keyPair.privateKey);
    const missingSession = await new SignJWT({ email: 'e@x.io', adm: false })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('u')
      .setIssuer(TokenIssuerName)
      .setAudience(TokenAudience)
      .setExpirationTime(exp)
      .sign(keyPair.privateKey);

    expect(await issuer.verify('')).toEqual({ ok: false, error: 'malformed' });
    expect(await issuer.verify('a.b.c')).toEqual({ ok: false, error: 'malformed' });
    expect(await sameKey.verify(otherAudience)).toEqual({ ok: false, error: 'malformed' });
    expect(await sameKey.verify(missingSession)).toEqual({ ok: false, error: 'malformed' });
  });

  it('refuses a token with padding or another spelling of the same bytes as malformed', async () => {
    const clock = new ManualClock();
    const issuer = await JoseTokenIssuer.create({ clock });
    const { token } = await issuer.issue(claimsAt(clock));
    const [header = '', payload = '', signature = ''] = token.split('.');
    // A 64-byte signature leaves 4 spare bits in its last character: setting one spells the same bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet[alphabet.indexOf(signature.slice(-1)) + 1] ?? '';
    const respelled = `${header}.${payload}.${signature.slice(0, -1)}${last}`;
    expect(Buffer.from(respelled.split('.')[2]!, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));

    expect(await issuer.verify(token)).toMatchObject({ ok: true });
    expect(await issuer.verify(`${token}==`)).toEqual({ ok: false, error: 'malformed' });
    expect(await issuer.verify(`${header}.${payload}=.${signature}`)).toEqual({ ok: false, error: 'malformed' });
    expect(await issuer.verify(respelled)).toEqual({ ok: false, error: 'malformed' });
    // The standard alphabet's + and / are not base64url.
    expect(await issuer.verify(`${header}.${payload}.+/${signature.slice(2)}`)).toEqual({ ok: false, error: 'malformed' });
  });

  it('signs with a supplied key pair and kid, so a restart keeps tokens valid', async () => {
    const clock = new ManualClock();
    const keyPair = await generateEd25519();
    const before = await JoseTokenIssuer.create({ clock, keyPair, kid: 'key-2026-01' });
    const after = await JoseTokenIssuer.create({ clock, keyPair, kid: 'key-2026-01' });

    const { token } = await before.issue(claimsAt(clock));

    expect(decodeProtectedHeader(token).kid).toBe('key-2026-01');
    expect((await after.verify(token)).ok).toBe(true);
  });
});

const generateEd25519 = () => generateKeyPair('Ed25519');
