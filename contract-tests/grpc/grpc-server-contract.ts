import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertEveryRpcRegistered } from './assert-every-rpc-registered.js';
import { loadServices } from './generic-grpc-client.js';
import { checkHealth } from './health-probe.js';
import { reflectServer, type ReflectedServer } from './reflection-probe.js';

/** A running server the suite talks to over a real socket. */
export interface GrpcServerUnderTest {
  readonly address: string;
  stop(): Promise<void>;
}

export interface GrpcServerContractOptions {
  /** The .proto files (absolute paths) of every service the server must serve in full. */
  readonly protoFiles: readonly string[];
}

/**
 * What every mesh gRPC server must do, whatever its handlers: serve every rpc of its .proto files,
 * answer the standard health check, and describe itself by reflection as grpcurl needs.
 */
export const grpcServerContract = (name: string, start: () => Promise<GrpcServerUnderTest>, options: GrpcServerContractOptions): void => {
  describe(`gRPC server contract: ${name}`, () => {
    let server: GrpcServerUnderTest | undefined;
    let declared: Map<string, string[]>; // service -> method paths, from the .proto files
    const address = (): string => server!.address;

    beforeAll(async () => {
      server = await start();
      const services = await loadServices(options.protoFiles);
      declared = new Map(services.map((s) => [s.name, Object.values(s.definition).map((m) => m.path)]));
    });
    afterAll(async () => server?.stop());

    it('registers a handler for every rpc its .proto files declare', async () => {
      const probes = await assertEveryRpcRegistered(address(), options.protoFiles);
      expect(probes.map((p) => p.path).sort()).toEqual([...declared.values()].flat().sort());
    });

    it('reports SERVING for the whole server and for each service', async () => {
      expect(await checkHealth(address())).toBe('SERVING');
      for (const service of declared.keys()) expect(await checkHealth(address(), service)).toBe('SERVING');
    });

    describe('reflection', () => {
      let reflected: ReflectedServer;
      beforeAll(async () => {
        reflected = await reflectServer(address());
      });

      it('lists every service', () => {
        expect(reflected.services).toEqual(expect.arrayContaining([...declared.keys()]));
      });

      it('describes exactly the methods the .proto files declare', () => {
        for (const [service, paths] of declared) {
          const methods = reflected.registry.getService(service)?.methods ?? [];
          expect(methods.map((m) => `/${service}/${m.name}`).sort(), service).toEqual([...paths].sort());
        }
      });

      it('resolves every message a method uses, down to nested fields', () => {
        for (const service of declared.keys()) {
          for (const method of reflected.registry.getService(service)!.methods) {
            for (const message of [method.input, method.output]) {
              expect(reflected.registry.getMessage(message.typeName), message.typeName).toBe(message);
            }
          }
        }
      });

      it('names map entries as protoc does, so strict descriptor parsers accept them', () => {
        const mapFields = [...reflected.registry]
          .flatMap((desc) => (desc.kind === 'message' ? desc.fields : []))
          .filter((field) => field.fieldKind === 'map');
        expect(mapFields.length).toBeGreaterThan(0);
        for (const field of mapFields) {
          expect(field.proto.typeName).toBe(`.${field.parent.typeName}.${mapEntryName(field.name)}`);
        }
      });
    });
  });
};

/** protoc's rule: `current_metrics` -> `CurrentMetricsEntry`. */
const mapEntryName = (fieldName: string): string => `${fieldName.replace(/(?:^|_)([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase())}Entry`;
