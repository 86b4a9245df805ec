import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findProtoDir, loadProtoPackage, meshProtoPaths } from './proto-files.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

describe('proto files', () => {
  it('finds the proto folder from the sources', () => {
    expect(findProtoDir()).toBe(join(repoRoot, 'proto'));
  });

  it('finds the same folder from a compiled module deeper in dist/', () => {
    expect(findProtoDir(join(repoRoot, 'dist', 'adapters', 'grpc'))).toBe(join(repoRoot, 'proto'));
  });

  it('says where it looked when no proto folder is above', () => {
    expect(() => findProtoDir(tmpdir())).toThrow(/No proto\/auth\.proto in/);
  });

  it('lists one existing file per service', () => {
    const paths = meshProtoPaths();
    expect(paths.map((path) => path.slice(path.lastIndexOf('/') + 1))).toEqual([
      'gateway.proto',
      'auth.proto',
      'project.proto',
      'simulation.proto',
    ]);
    for (const path of paths) expect(existsSync(path), path).toBe(true);
  });

  it('loads the four services under the packages the specification names', async () => {
    const definition = await loadProtoPackage(meshProtoPaths());
    const services = Object.keys(definition).filter((name) => !('format' in definition[name]!));
    expect(services.sort()).toEqual([
      'auth.AuthService',
      'gateway.GatewayService',
      'project.ProjectService',
      'simulation.SimulationService',
    ]);
  });
});
