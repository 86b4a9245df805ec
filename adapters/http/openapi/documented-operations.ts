import { adminOperations } from '../client-api/admin-operations.js';
import { authOperations } from '../client-api/auth-operations.js';
import { exportOperations } from '../client-api/export-operations.js';
import type { OperationDoc } from '../client-api/operation-doc.js';
import { projectOperations } from '../client-api/project-operations.js';
import { simulationOperations } from '../client-api/simulation-operations.js';
import { dashboardOperations } from '../dashboard/dashboard-operations.js';
import { serviceOperations } from './service-operations.js';

/** Every operation any HTTP port of the mesh may serve; each port's document holds those it registered (docs/adr/0049). */
export const documentedOperations: readonly OperationDoc[] = [
  ...authOperations,
  ...projectOperations,
  ...simulationOperations,
  ...exportOperations,
  ...adminOperations,
  ...dashboardOperations,
  ...serviceOperations,
];
