/**
 * The services of the mesh, as our code names them (the registry maps them to the specification's keys:
 * docs/specification.md#the-mesh-client).
 */
export const ServiceNames = ['api-gateway', 'auth', 'project', 'simulation'] as const;
export type ServiceName = (typeof ServiceNames)[number];

export const isServiceName = (name: string): name is ServiceName => (ServiceNames as readonly string[]).includes(name);
