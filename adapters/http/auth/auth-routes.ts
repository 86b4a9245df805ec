import type { FastifyInstance } from 'fastify';
import type { AuthService, Profile } from '../../../core/auth/index.js';
import { unwrap } from '../unwrap.js';
import { authenticate } from './authenticate.js';

const emailSchema = { type: 'string', minLength: 3, maxLength: 254 } as const;
const passwordSchema = { type: 'string', minLength: 1, maxLength: 128 } as const;
const nameSchema = { type: 'string', minLength: 1, maxLength: 100 } as const;

interface RegisterBody {
  email: string;
  password: string;
  name: string;
}
interface LoginBody {
  email: string;
  password: string;
}
interface ProfilePatch {
  name?: string;
  current_password?: string;
  new_password?: string;
}

/** A profile as clients see it: snake_case, epoch-ms times. */
export const profileJson = (profile: Profile) => ({
  id: profile.id,
  email: profile.email,
  name: profile.name,
  roles: profile.roles,
  is_active: profile.isActive,
  created_at: profile.createdAt,
  updated_at: profile.updatedAt,
  last_login_at: profile.lastLoginAt,
});

/**
 * The auth client API (HTTP/2 + JSON): register, login, logout, profile. Bodies are checked by
 * schema (400 with field errors); domain rules (password length, email shape, duplicates) come back
 * from the use cases as failures and are rendered by the one problem+json handler.
 */
export const registerAuthRoutes = (app: FastifyInstance, auth: AuthService): void => {
  const check = (token: string) => auth.validateToken(token);

  app.post<{ Body: RegisterBody }>(
    '/auth/register',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password', 'name'],
          additionalProperties: false,
          properties: { email: emailSchema, password: passwordSchema, name: nameSchema },
        },
      },
    },
    async (request, reply) => {
      const profile = unwrap(await auth.register(request.body));
      return reply.code(201).send({ user: profileJson(profile) });
    },
  );

  app.post<{ Body: LoginBody }>(
    '/auth/login',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: { email: emailSchema, password: passwordSchema },
        },
      },
    },
    async (request) => {
      const session = unwrap(await auth.login(request.body));
      return {
        access_token: session.token,
        token_type: 'Bearer',
        expires_at: session.expiresAt,
        session_id: session.sessionId,
        user: profileJson(session.user),
      };
    },
  );

  app.post('/auth/logout', async (request, reply) => {
    const caller = await authenticate(request, check);
    unwrap(await auth.logout(caller.token));
    return reply.code(204).send();
  });

  app.get('/auth/profile', async (request) => {
    const caller = await authenticate(request, check);
    return { user: profileJson(unwrap(await auth.getProfile(caller.userId))) };
  });

  app.patch<{ Body: ProfilePatch }>(
    '/auth/profile',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { name: nameSchema, current_password: passwordSchema, new_password: passwordSchema },
        },
      },
    },
    async (request) => {
      const caller = await authenticate(request, check);
      const profile = unwrap(
        await auth.updateProfile({
          userId: caller.userId,
          sessionId: caller.sessionId,
          name: request.body.name,
          currentPassword: request.body.current_password,
          newPassword: request.body.new_password,
        }),
      );
      return { user: profileJson(profile) };
    },
  );
};
