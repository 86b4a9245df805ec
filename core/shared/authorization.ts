/** The answer of the authorization service to a permission check. */
export interface PermissionDecision {
  readonly allowed: boolean;
  /** Why, in words safe to show the caller; may be empty when allowed. */
  readonly reason: string;
}

/**
 * Permission checks, as the auth service decides them (its CheckPermission in production), for
 * every domain that asks (project, simulation). One port, one convention (docs/adr/0027).
 */
export interface AuthorizationPort {
  /**
   * Whether `userId` holds `permission` (e.g. `project:create`, `simulation:start`), on
   * `resourceId` when given. A denial is a decision (`allowed: false`), also for a request the
   * authorization service finds malformed. Throws `DependencyUnavailableError` (never hangs) when
   * the authorization service cannot answer: that is a fault, not a denial.
   */
  checkPermission(userId: string, permission: string, resourceId?: string): Promise<PermissionDecision>;
}
