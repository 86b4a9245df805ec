import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { descriptorSetPackage, meshReflectionPackage } from './reflection-package.js';

const descriptorBytes = (entry: unknown): Uint8Array => {
  const [bytes] = (entry as { fileDescriptorProtos: Buffer[] }).fileDescriptorProtos;
  return bytes!;
};

describe('reflection package', () => {
  it('carries one compiled descriptor per mesh proto file', () => {
    const pkg = meshReflectionPackage();
    expect(Object.keys(pkg).sort()).toEqual(['auth.proto', 'gateway.proto', 'project.proto', 'simulation.proto']);
    for (const [name, entry] of Object.entries(pkg)) {
      expect(fromBinary(FileDescriptorProtoSchema, descriptorBytes(entry)).name).toBe(name);
    }
  });

  it('keeps what the compiler wrote: qualified type names and <Field>Entry map entries', () => {
    const file = fromBinary(FileDescriptorProtoSchema, descriptorBytes(meshReflectionPackage()['project.proto']));
    const create = file.messageType.find((m) => m.name === 'CreateProjectRequest')!;
    expect(create.field.find((f) => f.name === 'configuration')?.typeName).toBe('.project.CreateProjectRequest.ConfigurationEntry');
    const update = file.messageType.find((m) => m.name === 'UpdateProjectResponse')!;
    expect(update.field[0]?.typeName).toBe('.project.ProjectSummary');
  });

  it('splits any descriptor set into per-file entries', () => {
    const set = create(FileDescriptorSetSchema, {
      file: [
        { name: 'a.proto', package: 'a' },
        { name: 'b/b.proto', package: 'b' },
      ],
    });
    expect(Object.keys(descriptorSetPackage(toBinary(FileDescriptorSetSchema, set)))).toEqual(['a.proto', 'b/b.proto']);
  });
});
