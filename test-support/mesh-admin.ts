import { request } from 'undici';
import type { MeshReport } from '../adapters/grpc/mesh/process-mesh.js';

/** `GET /mesh` of a mesh process started with `MESH_ADMIN_PORT`. */
export const readMeshReport = async (adminPort: number): Promise<MeshReport> => {
  const response = await request(`http://127.0.0.1:${adminPort}/mesh`);
  if (response.statusCode !== 200) throw new Error(`GET /mesh answered ${response.statusCode}`);
  return (await response.body.json()) as MeshReport;
};

/** Calls the process's client of `service` sent to each instance, by instance id, with its address. */
export const callsPerInstance = (
  report: MeshReport,
  service: string,
): { instanceId: string; address: string; calls: number; ejected: boolean }[] =>
  (report.clients.find((client) => client.service === service)?.client.instances ?? []).map(({ instanceId, address, calls, ejected }) => ({
    instanceId,
    address,
    calls,
    ejected,
  }));

/** Calls sent to the instances at `address` (a restarted instance has a new id at the same address). */
export const callsTo = (report: MeshReport, service: string, address: string, exceptInstance?: string): number =>
  callsPerInstance(report, service)
    .filter((instance) => instance.address === address && instance.instanceId !== exceptInstance)
    .reduce((sum, instance) => sum + instance.calls, 0);
