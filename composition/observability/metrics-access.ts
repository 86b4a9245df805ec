import { timingSafeEqual } from 'node:crypto';

/**
 * Who may read `GET /metrics`: anyone when no token is configured (a scraper on a trusted
 * network), else only `Authorization: Bearer <token>`, compared in constant time.
 */
export const metricsAccess = (token: string | undefined): ((authorization: string | undefined) => boolean) => {
  if (token === undefined) return () => true;
  const expected = Buffer.from(`Bearer ${token}`);
  return (authorization) => {
    if (authorization === undefined) return false;
    const given = Buffer.from(authorization);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
};
