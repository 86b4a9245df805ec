import { loginRoute, logoutRoute, refreshRoute, registerRoute, updateProfileRoute } from './auth-api.js';
import { jsonAnswer, NO_BODY, type OperationDoc } from './operation-doc.js';

/** The API reference of accounts and sessions (docs/adr/0049); the auth service answers them, the gateway passes them on. */

const USER = '`{"user": {id, email, name, roles, is_active, created_at, updated_at, last_login_at}}`';
const TOKENS =
  '`{access_token, token_type: "Bearer", expires_at, refresh_token, refresh_expires_at, session_id, user}`: ' +
  'send `access_token` as `Authorization: Bearer …`.';

export const authOperations: readonly OperationDoc[] = [
  {
    method: 'POST',
    path: '/auth/register',
    tag: 'auth',
    summary: 'Register an account',
    description: 'Queues a welcome email. Registrations are counted per client address.',
    access: 'anyone',
    route: registerRoute,
    answers: { 201: jsonAnswer(USER) },
    refusals: {
      400: 'A rule of the domain: an email that is not one, a password shorter than the minimum (`invalid_input`).',
      409: 'The email is taken (`email_taken`).',
      429: 'Too many registrations from your address (`too_many_registrations`, with `Retry-After`).',
      503: 'Password hashing is saturated (`password_hashing_busy`); retry later.',
    },
  },
  {
    method: 'POST',
    path: '/auth/login',
    tag: 'auth',
    summary: 'Sign in',
    description: 'Publishes `auth:events:login`. Failures are counted per account and per client address.',
    access: 'anyone',
    route: loginRoute,
    answers: { 200: jsonAnswer(TOKENS) },
    refusals: {
      401: 'Wrong email or password (`invalid_credentials`).',
      403: 'The account is deactivated (`account_disabled`).',
      429: 'Too many failed logins (`too_many_login_attempts`, with `Retry-After`).',
      503: 'Password hashing is saturated (`password_hashing_busy`); retry later.',
    },
  },
  {
    method: 'POST',
    path: '/auth/refresh',
    tag: 'auth',
    summary: 'Trade a refresh token for new tokens',
    description: 'A refresh token works once; using one twice ends its session (`refresh_token_reused`).',
    access: 'anyone',
    route: refreshRoute,
    answers: { 200: jsonAnswer(TOKENS) },
    refusals: { 401: 'An unknown, expired or reused refresh token (`invalid_refresh_token`, `refresh_token_reused`).' },
  },
  {
    method: 'POST',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'End your session',
    description: 'The access token stops working on every gateway at once.',
    access: 'user',
    route: logoutRoute,
    answers: { 204: { description: 'The session is over.', media: NO_BODY } },
  },
  {
    method: 'GET',
    path: '/auth/profile',
    tag: 'auth',
    summary: 'Read your profile',
    access: 'user',
    answers: { 200: jsonAnswer(USER) },
    refusals: { 404: 'Your account no longer exists (`user_not_found`).' },
  },
  {
    method: 'PATCH',
    path: '/auth/profile',
    tag: 'auth',
    summary: 'Change your name or password',
    description: 'A new password needs `current_password`; it ends your other sessions.',
    access: 'user',
    route: updateProfileRoute,
    answers: { 200: jsonAnswer(USER) },
    refusals: {
      400: 'A wrong `current_password` (`wrong_current_password`) or a rule of the domain (`invalid_input`).',
      404: 'Your account no longer exists (`user_not_found`).',
      409: 'The profile changed meanwhile (`concurrent_update`); retry.',
    },
  },
];
