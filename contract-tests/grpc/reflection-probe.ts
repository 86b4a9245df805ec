import { createRequire } from 'node:module';
import { create, createFileRegistry, fromBinary, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** What a grpcurl-like client learns by reflection: the services and every type they use. */
export interface ReflectedServer {
  readonly services: string[];
  /** Built from the served descriptors only; building it fails if any reference is unresolvable. */
  readonly registry: FileRegistry;
}

interface ReflectionResponse {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Uint8Array[] };
  error_response?: { error_code: number; error_message: string };
}

const REFLECTION_PROTO = createRequire(import.meta.url).resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');

/**
 * Does what grpcurl does with `list` and `describe`: lists the services over
 * `grpc.reflection.v1.ServerReflection`, fetches the file of each, then every file it imports.
 */
export const reflectServer = async (address: string, timeoutMs = 15_000): Promise<ReflectedServer> => {
  const pkg = await protoLoader.load(REFLECTION_PROTO, { keepCase: true, oneofs: true, defaults: true });
  const v1 = (loadPackageDefinition(pkg).grpc as GrpcObject).reflection as GrpcObject;
  const Client = (v1.v1 as GrpcObject).ServerReflection as ServiceClientConstructor;
  const client = new Client(address, credentials.createInsecure());
  const call = client.ServerReflectionInfo!({ deadline: new Date(Date.now() + timeoutMs) });
  const pending: { resolve: (r: ReflectionResponse) => void; reject: (e: Error) => void }[] = [];
  call.on('data', (response: ReflectionResponse) => pending.shift()?.resolve(response));
  const failAll = (error: Error) => pending.splice(0).forEach((p) => p.reject(error));
  call.on('error', failAll);
  call.on('end', () => failAll(new Error('Reflection stream ended before answering')));
  const ask = (request: object): Promise<ReflectionResponse> =>
    new Promise((resolve, reject) => {
      pending.push({ resolve, reject });
      call.write(request);
    });
  const files = async (request: object): Promise<FileDescriptorProto[]> => {
    const response = await ask(request);
    if (response.error_response) throw new Error(`Reflection: ${response.error_response.error_message}`);
    return (response.file_descriptor_response?.file_descriptor_proto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
  };
  try {
    const listed = await ask({ list_services: '*' });
    const services = (listed.list_services_response?.service ?? []).map(({ name }) => name);
    const byName = new Map<string, FileDescriptorProto>();
    const keep = (found: FileDescriptorProto[]) => found.forEach((file) => byName.set(file.name, file));
    for (const service of services) keep(await files({ file_containing_symbol: service }));
    const requested = new Set<string>();
    for (let missing = missingImports(byName); missing.length > 0; missing = missingImports(byName)) {
      for (const name of missing) {
        if (requested.has(name)) throw new Error(`Reflection does not serve ${name}, which another file imports`);
        requested.add(name);
        keep(await files({ file_by_filename: name }));
      }
    }
    return { services, registry: resolve([...byName.values()]) };
  } finally {
    call.end();
    client.close();
  }
};

const missingImports = (files: Map<string, FileDescriptorProto>): string[] => [
  ...new Set([...files.values()].flatMap((file) => file.dependency.filter((name) => !files.has(name)))),
];

/** Builds the registry as a strict client would, failing with the files at fault. */
const resolve = (files: FileDescriptorProto[]): FileRegistry => {
  try {
    return createFileRegistry(create(FileDescriptorSetSchema, { file: files }));
  } catch (error) {
    const names = files.map((file) => file.name).join(', ');
    const reason = error instanceof Error && error.message ? error.message : 'a type reference does not resolve';
    throw new Error(`Reflection served descriptors a strict client rejects (${names}): ${reason}`, { cause: error });
  }
};
