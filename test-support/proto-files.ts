import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

/** The mesh's contracts, one file per service, relative to the proto folder. */
export const MESH_PROTO_FILES = ['gateway.proto', 'auth.proto', 'project.proto', 'simulation.proto'] as const;

/**
 * Options for every proto-loader use: snake_case names kept, as on the wire and in the specification
 * (docs/specification.md#layer-1-grpc-contracts).
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/**
 * The folder holding the mesh's .proto files, found by walking up from `startDir` (default: this
 * module's folder), so it resolves the same from `adapters/grpc/` and `dist/adapters/grpc/`.
 */
export const findProtoDir = (startDir: string = dirname(fileURLToPath(import.meta.url))): string => {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, 'auth.proto'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`No proto/auth.proto in ${startDir} or any folder above it`);
  }
};

/** Absolute paths of the mesh's .proto files. */
export const meshProtoPaths = (protoDir: string = findProtoDir()): string[] => MESH_PROTO_FILES.map((file) => join(protoDir, file));

/**
 * Loads .proto files at run time (absolute paths, or relative to `includeDirs`): for generic
 * clients and checks that must not trust generated code. Not for reflection (see
 * reflection-package.ts).
 */
export const loadProtoPackage = (
  protoFiles: readonly string[],
  includeDirs: readonly string[] = [],
): Promise<protoLoader.PackageDefinition> => protoLoader.load([...protoFiles], { ...PROTO_LOADER_OPTIONS, includeDirs: [...includeDirs] });
