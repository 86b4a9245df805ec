import type { CallSafety } from '../../../core/resilience/retry-policy.js';

/**
 * Whether each rpc of the mesh may be repeated (ADR 0015): reads, validations and health checks
 * have no effect; writes change state and are retried only with an idempotency key. A method
 * missing here is treated as a write. `method-safety.test.ts` checks that every rpc of the mesh's
 * protos is listed.
 */
export const METHOD_SAFETY: Readonly<Record<string, CallSafety>> = {
  '/auth.AuthService/ValidateToken': 'validation',
  '/auth.AuthService/GetUserContext': 'read',
  '/auth.AuthService/CheckPermission': 'read',
  '/auth.AuthService/ValidateSession': 'validation',
  '/auth.AuthService/GetUserPermissions': 'read',
  '/auth.AuthService/GetSigningKeys': 'read',
  '/auth.AuthService/HealthCheck': 'health',
  '/auth.AuthService/ListUsers': 'read',
  '/auth.AuthService/AssignRoles': 'write',
  '/auth.AuthService/SetUserActive': 'write',
  '/auth.AuthService/PublishAnnouncement': 'write',
  '/auth.AuthService/ListAuditLog': 'read',
  '/auth.AuthService/ListAnnouncements': 'read',

  '/project.ProjectService/CreateProject': 'write',
  '/project.ProjectService/GetProject': 'read',
  '/project.ProjectService/UpdateProject': 'write',
  '/project.ProjectService/DeleteProject': 'write',
  '/project.ProjectService/ListProjects': 'read',
  '/project.ProjectService/ShareProject': 'write',
  '/project.ProjectService/GetProjectPermissions': 'read',
  '/project.ProjectService/GetTemplate': 'read',
  '/project.ProjectService/ListTemplates': 'read',
  '/project.ProjectService/JoinCollaboration': 'write',
  '/project.ProjectService/LeaveCollaboration': 'write',
  '/project.ProjectService/EditProject': 'write',
  '/project.ProjectService/HealthCheck': 'health',

  '/simulation.SimulationService/StartSimulation': 'write',
  '/simulation.SimulationService/StopSimulation': 'write',
  '/simulation.SimulationService/GetSimulationStatus': 'read',
  '/simulation.SimulationService/GetSimulationResults': 'read',
  '/simulation.SimulationService/GetLiveMetrics': 'read',
  '/simulation.SimulationService/GetPerformanceAnalysis': 'read',
  '/simulation.SimulationService/ValidateConfiguration': 'validation',
  '/simulation.SimulationService/GetSimulationHistory': 'read',
  '/simulation.SimulationService/HealthCheck': 'health',

  '/gateway.GatewayService/RegisterClient': 'write',
  '/gateway.GatewayService/UnregisterClient': 'write',
  '/gateway.GatewayService/RouteMessage': 'write',
  '/gateway.GatewayService/BroadcastMessage': 'write',
  '/gateway.GatewayService/GetConnectedClients': 'read',
  '/gateway.GatewayService/GetClientInfo': 'read',
  '/gateway.GatewayService/HealthCheck': 'health',

  '/grpc.health.v1.Health/Check': 'health',
};

export const methodSafety = (path: string): CallSafety => METHOD_SAFETY[path] ?? 'write';
