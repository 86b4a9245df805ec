/** Full gRPC method path (`/auth.AuthService/ValidateToken`) -> the mesh services allowed to call it. */
export type CallerAllowList = Readonly<Record<string, readonly string[]>>;

const GATEWAY = 'api-gateway';
const EVERY_SERVICE = ['api-gateway', 'auth', 'project', 'simulation'] as const;

const methods = (service: string, callers: Readonly<Record<string, readonly string[]>>): CallerAllowList =>
  Object.fromEntries(Object.entries(callers).map(([method, allowed]) => [`/${service}/${method}`, allowed]));

/**
 * Who calls what in the mesh, as the clients really do (docs/adr/0021): the gateway calls every
 * client-facing rpc; project checks permissions, tokens and users with auth and reads results from
 * simulation; simulation checks permissions and tokens with auth and reads projects. Every
 * `HealthCheck` is open to the whole mesh. A method missing here is refused to everyone.
 */
export const MESH_CALLER_ALLOW_LIST: CallerAllowList = {
  ...methods('auth.AuthService', {
    ValidateToken: [GATEWAY, 'project', 'simulation'],
    GetUserContext: [GATEWAY, 'project'],
    CheckPermission: [GATEWAY, 'project', 'simulation'],
    ValidateSession: [GATEWAY],
    GetUserPermissions: [GATEWAY],
    // Public keys only: the gateway verifies tokens itself (docs/adr/0022).
    GetSigningKeys: [GATEWAY, 'project', 'simulation'],
    HealthCheck: EVERY_SERVICE,
    // Administration (docs/adr/0054): only the gateway's admin routes; auth checks the actor itself.
    ListUsers: [GATEWAY],
    AssignRoles: [GATEWAY],
    SetUserActive: [GATEWAY],
    PublishAnnouncement: [GATEWAY],
    ListAuditLog: [GATEWAY],
    // The simulation service reads maintenance windows at start (docs/adr/0056).
    ListAnnouncements: [GATEWAY, 'simulation'],
  }),
  ...methods('project.ProjectService', {
    CreateProject: [GATEWAY],
    GetProject: [GATEWAY, 'simulation'],
    UpdateProject: [GATEWAY],
    DeleteProject: [GATEWAY],
    ListProjects: [GATEWAY],
    ShareProject: [GATEWAY],
    GetProjectPermissions: [GATEWAY],
    GetTemplate: [GATEWAY],
    ListTemplates: [GATEWAY],
    JoinCollaboration: [GATEWAY],
    LeaveCollaboration: [GATEWAY],
    EditProject: [GATEWAY],
    HealthCheck: EVERY_SERVICE,
  }),
  ...methods('simulation.SimulationService', {
    StartSimulation: [GATEWAY],
    StopSimulation: [GATEWAY],
    GetSimulationStatus: [GATEWAY],
    GetSimulationResults: [GATEWAY, 'project'],
    GetLiveMetrics: [GATEWAY],
    GetPerformanceAnalysis: [GATEWAY],
    ValidateConfiguration: [GATEWAY],
    GetSimulationHistory: [GATEWAY, 'project'],
    HealthCheck: EVERY_SERVICE,
  }),
  // Gateway instances forward deliveries among themselves; auth closes a user's sockets (logout,
  // deactivation) and project notifies collaborators with RouteMessage; simulation tells the
  // watchers of a stopped run with BroadcastMessage (docs/adr/0052).
  ...methods('gateway.GatewayService', {
    RegisterClient: [GATEWAY],
    UnregisterClient: [GATEWAY],
    RouteMessage: [GATEWAY, 'auth', 'project'],
    BroadcastMessage: [GATEWAY, 'simulation'],
    GetConnectedClients: [GATEWAY],
    GetClientInfo: [GATEWAY],
    HealthCheck: EVERY_SERVICE,
  }),
};
