import type { OutboxMessage } from '../../core/messaging/outbox.js';
import type { Project } from '../../core/project/model.js';
import type {
  CollaboratorsChange,
  ProjectCursor,
  ProjectPage,
  ProjectPageRequest,
  ProjectQuery,
  ProjectRepository,
  ProjectWriteConflict,
} from '../../core/project/ports.js';
import { err, ok, type Result } from '../../core/shared/result.js';
import { InMemoryOutbox } from './in-memory-outbox.js';

/** Projects in a Map, for tests and the embedded defaults. Stores and hands out copies only. */
export class InMemoryProjectRepository implements ProjectRepository {
  private readonly projects = new Map<string, Project>();

  constructor(readonly outbox: InMemoryOutbox = new InMemoryOutbox()) {}

  async create(project: Project, outbox: readonly OutboxMessage[] = []): Promise<void> {
    if (this.projects.has(project.id)) throw new Error(`Project ${project.id} already exists`);
    this.projects.set(project.id, structuredClone(project));
    this.outbox.record(`project:${project.id}`, outbox);
  }

  async findById(id: string): Promise<Project | undefined> {
    const project = this.projects.get(id);
    return project && structuredClone(project);
  }

  async update(project: Project, outbox: readonly OutboxMessage[] = []): Promise<Result<Project, ProjectWriteConflict>> {
    const stored = this.projects.get(project.id);
    if (!stored) return err('not_found');
    if (stored.version !== project.version) return err('stale_version');
    const next: Project = { ...structuredClone(project), collaborators: stored.collaborators, version: stored.version + 1 };
    this.projects.set(project.id, next);
    this.outbox.record(`project:${project.id}`, outbox);
    return ok(structuredClone(next));
  }

  async delete(id: string, outbox: readonly OutboxMessage[] = []): Promise<boolean> {
    const deleted = this.projects.delete(id);
    if (deleted) this.outbox.record(`project:${id}`, outbox);
    return deleted;
  }

  async list(query: ProjectQuery, page: ProjectPageRequest): Promise<ProjectPage> {
    const matching = [...this.projects.values()].filter((project) => matches(project, query)).sort(newestFirst);
    const { after } = page;
    const start = after ? matching.findIndex((project) => newestFirst(project, after) > 0) : 0;
    const rest = start < 0 ? [] : matching.slice(start);
    const projects = rest.slice(0, page.limit).map((project) => structuredClone(project));
    const last = projects.at(-1);
    return {
      projects,
      totalCount: matching.length,
      ...(rest.length > page.limit && last ? { next: { createdAt: last.createdAt, id: last.id } } : {}),
    };
  }

  async ownsAny(ownerId: string): Promise<boolean> {
    for (const project of this.projects.values()) if (project.ownerId === ownerId) return true;
    return false;
  }

  async addCollaborator(projectId: string, userId: string): Promise<CollaboratorsChange | undefined> {
    return this.changeCollaborators(projectId, (current) => (current.includes(userId) ? current : [...current, userId]));
  }

  async removeCollaborator(projectId: string, userId: string): Promise<CollaboratorsChange | undefined> {
    return this.changeCollaborators(projectId, (current) => current.filter((collaborator) => collaborator !== userId));
  }

  private changeCollaborators(
    projectId: string,
    change: (current: readonly string[]) => readonly string[],
  ): CollaboratorsChange | undefined {
    const stored = this.projects.get(projectId);
    if (!stored) return undefined;
    const collaborators = change(stored.collaborators);
    const changed = collaborators.length !== stored.collaborators.length;
    if (changed) this.projects.set(projectId, { ...stored, collaborators: [...collaborators] });
    return { collaborators: [...collaborators], changed };
  }
}

const matches = (project: Project, query: ProjectQuery): boolean =>
  (query.status === undefined || project.status === query.status) &&
  ((query.ownerId !== undefined && project.ownerId === query.ownerId) ||
    (query.sharedWithUserId !== undefined && project.shares.some((share) => share.userId === query.sharedWithUserId)) ||
    (query.includePublic === true && project.isPublic));

/** The listing order: `createdAt` descending, then `id` descending by code units. Negative: `a` first. */
const newestFirst = (a: ProjectCursor, b: ProjectCursor): number => {
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  if (a.id === b.id) return 0;
  return a.id > b.id ? -1 : 1;
};
