import { DependencyUnavailableError, type DomainFailure } from '../shared/errors.js';
import { ok, type Result } from '../shared/result.js';
import type { ExportDeps } from './deps.js';
import type { ExportFile, ExportRecord } from './model.js';
import type { SimulationHistoryItem } from './ports.js';
import { jsonFile } from './render.js';

/**
 * A JSON report of a project as its requester may see it: the project with its configuration, its
 * shares and members, who is in the collaboration session, and its simulation history from the
 * simulation service; when that cannot answer, `simulations` is the string `unavailable` and the
 * report is still produced. A project the user can no longer read fails the report (`not_found`).
 */
export const buildProjectReport = async (
  deps: Pick<ExportDeps, 'projects' | 'simulations' | 'clock' | 'settings'>,
  record: ExportRecord,
): Promise<Result<ExportFile, DomainFailure>> => {
  const reader = { projectId: record.subjectId, userId: record.userId };
  const project = await deps.projects.getProject({ ...reader, includeConfiguration: true });
  if (!project.ok) return project;
  const permissions = await deps.projects.getProjectPermissions(reader);
  if (!permissions.ok) return permissions;
  // The report is still worth having without the history while the simulation service is away.
  const history = await deps.simulations.history(record.subjectId, record.userId, deps.settings.historyLimit).catch((error: unknown) => {
    if (error instanceof DependencyUnavailableError) return undefined;
    throw error;
  });

  const view = project.value;
  return ok(
    jsonFile(`project-${view.id}-report`, {
      report: 'project',
      export_id: record.id,
      generated_at: deps.clock.now(),
      project: {
        id: view.id,
        name: view.name,
        description: view.description,
        owner_id: view.ownerId,
        template_id: view.templateId,
        status: view.status,
        is_public: view.isPublic,
        created_at: view.createdAt,
        updated_at: view.updatedAt,
        configuration: view.configuration ?? {},
      },
      shares: view.shares.map((share) => ({ user_id: share.userId, role: share.role, shared_at: share.sharedAt })),
      members: permissions.value.members.map((member) => ({
        user_id: member.userId,
        role: member.role,
        granted_at: member.grantedAt,
        actions: member.actions,
      })),
      collaborators: view.collaborators,
      simulations: history?.ok ? { total_count: history.value.totalCount, items: history.value.items.map(historyItemJson) } : 'unavailable',
    }),
  );
};

const historyItemJson = (item: SimulationHistoryItem) => ({
  simulation_id: item.simulationId,
  user_id: item.userId,
  status: item.status,
  started_at: item.startedAt,
  completed_at: item.completedAt,
  duration_seconds: item.durationSeconds,
  components: item.components,
});
