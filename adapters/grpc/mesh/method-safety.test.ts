import type { ServiceDefinition } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { AuthServiceService } from '../generated/auth.js';
import { GatewayServiceService } from '../generated/gateway.js';
import { ProjectServiceService } from '../generated/project.js';
import { SimulationServiceService } from '../generated/simulation.js';
import { METHOD_SAFETY, methodSafety } from './method-safety.js';

const meshPaths = [AuthServiceService, ProjectServiceService, SimulationServiceService, GatewayServiceService].flatMap(
  (service: ServiceDefinition) => Object.values(service).map((method) => method.path),
);

describe('method safety', () => {
  it('declares every rpc of the mesh', () => {
    expect(meshPaths.filter((path) => !(path in METHOD_SAFETY))).toEqual([]);
  });

  it('treats an rpc it does not know as a write, which is never retried without a key', () => {
    expect(methodSafety('/reports.ReportService/Generate')).toBe('write');
  });

  it('reads tokens as validations and creations as writes', () => {
    expect(methodSafety('/auth.AuthService/ValidateToken')).toBe('validation');
    expect(methodSafety('/project.ProjectService/CreateProject')).toBe('write');
  });
});
