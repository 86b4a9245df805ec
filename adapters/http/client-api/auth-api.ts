import { bodyOf, emailSchema, lineSchema } from './common.js';

/**
 * Accounts and sessions as the client API takes them: the auth service validates these bodies on
 * its own port, and the gateway passes them on unread (docs/adr/0029). Passwords may hold any
 * printable character, so they are single lines too.
 */

/** Largest body of an auth route, on the auth service's port and as the gateway passes it on. */
export const AUTH_BODY_LIMIT = 16_384;

const passwordSchema = lineSchema(128, 1);
const nameSchema = lineSchema(100, 1);

export interface RegisterBody {
  readonly email: string;
  readonly password: string;
  readonly name: string;
}

export const registerRoute = {
  schema: { body: bodyOf({ email: emailSchema, password: passwordSchema, name: nameSchema }, ['email', 'password', 'name']) },
  bodyLimit: AUTH_BODY_LIMIT,
} as const;

export interface LoginBody {
  readonly email: string;
  readonly password: string;
}

export const loginRoute = {
  schema: { body: bodyOf({ email: emailSchema, password: passwordSchema }, ['email', 'password']) },
  bodyLimit: AUTH_BODY_LIMIT,
} as const;

export interface RefreshBody {
  readonly refresh_token: string;
}

export const refreshRoute = {
  schema: { body: bodyOf({ refresh_token: lineSchema(256, 1) }, ['refresh_token']) },
  bodyLimit: AUTH_BODY_LIMIT,
} as const;

/** Takes no input but the token; its body limit is the other auth routes'. */
export const logoutRoute = { schema: {}, bodyLimit: AUTH_BODY_LIMIT } as const;

export interface ProfilePatch {
  readonly name?: string;
  readonly current_password?: string;
  readonly new_password?: string;
}

export const updateProfileRoute = {
  schema: { body: { ...bodyOf({ name: nameSchema, current_password: passwordSchema, new_password: passwordSchema }), minProperties: 1 } },
  bodyLimit: AUTH_BODY_LIMIT,
} as const;
