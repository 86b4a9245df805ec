import { describe, expect, it } from 'vitest';
import { AuthServiceService } from './generated/auth.js';
import { SimulationServiceService } from './generated/simulation.js';
import { grpcServiceName } from './grpc-service-name.js';

describe('grpcServiceName', () => {
  it('reads the package-qualified name from the method paths', () => {
    expect(grpcServiceName(AuthServiceService)).toBe('auth.AuthService');
    expect(grpcServiceName(SimulationServiceService)).toBe('simulation.SimulationService');
  });

  it('refuses a definition without methods', () => {
    expect(() => grpcServiceName({})).toThrow(/empty or malformed/);
  });
});
