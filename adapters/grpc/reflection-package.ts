import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { PackageDefinition } from '@grpc/proto-loader';
import { meshFileDescriptorSet } from './generated/mesh-descriptor-set.js';

/**
 * What server reflection describes: the compiler's descriptors of the mesh's protos, embedded at
 * `npm run gen`. Not proto-loader's, whose protobufjs-rebuilt descriptors grpcurl rejects
 * (relative type names, misnamed map entries); see adapters/grpc/codegen.
 */
export const meshReflectionPackage = (): PackageDefinition => descriptorSetPackage(Buffer.from(meshFileDescriptorSet, 'base64'));

/**
 * A package definition holding one entry per file of a binary `FileDescriptorSet`.
 * @grpc/reflection reads nothing but `fileDescriptorProtos` from a package definition, so each
 * entry is shaped as the smallest definition kind that carries them.
 */
export const descriptorSetPackage = (descriptorSet: Uint8Array): PackageDefinition => {
  const { file: files } = fromBinary(FileDescriptorSetSchema, descriptorSet);
  return Object.fromEntries(
    files.map((file) => [
      file.name,
      {
        format: 'Protocol Buffer 3 EnumDescriptorProto' as const,
        type: {},
        fileDescriptorProtos: [Buffer.from(toBinary(FileDescriptorProtoSchema, file))],
      },
    ]),
  );
};
