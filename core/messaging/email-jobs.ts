import type { NewJob } from './work-queue.js';

/**
 * The jobs of `async:email:queue` (Queues.email): any service enqueues them, auth's email workers
 * render and send them (auth knows every user's address). Payloads are snake_case as on the wire and
 * name the recipient by `user_id`, except the welcome email, which carries the address it was
 * registered with (docs/adr/0055).
 */
export const EmailJobTypes = {
  welcome: 'welcome_email',
  projectInvitation: 'project_invitation_email',
  firstProject: 'first_project_email',
  exportReady: 'export_ready_email',
} as const;

export type EmailJobType = (typeof EmailJobTypes)[keyof typeof EmailJobTypes];

export interface WelcomeEmailPayload {
  readonly user_id: string;
  readonly email: string;
  readonly name: string;
}

export interface ProjectInvitationEmailPayload {
  /** Who the project was shared with: the recipient. */
  readonly user_id: string;
  readonly project_id: string;
  readonly project_name: string;
  readonly role: string;
  readonly shared_by_user_id: string;
}

export interface FirstProjectEmailPayload {
  readonly user_id: string;
  readonly project_id: string;
  readonly project_name: string;
}

export interface ExportReadyEmailPayload {
  readonly user_id: string;
  readonly export_id: string;
  readonly kind: string;
  readonly format: string;
  /** Epoch ms from which the export is gone. */
  readonly expires_at: number;
}

export const welcomeEmailJob = (user: { readonly id: string; readonly email: string; readonly name: string }): NewJob => ({
  type: EmailJobTypes.welcome,
  payload: { user_id: user.id, email: user.email, name: user.name } satisfies WelcomeEmailPayload,
});

export const projectInvitationEmailJob = (payload: ProjectInvitationEmailPayload): NewJob => ({
  type: EmailJobTypes.projectInvitation,
  payload: { ...payload },
});

export const firstProjectEmailJob = (payload: FirstProjectEmailPayload): NewJob => ({
  type: EmailJobTypes.firstProject,
  payload: { ...payload },
});

export const exportReadyEmailJob = (payload: ExportReadyEmailPayload): NewJob => ({
  type: EmailJobTypes.exportReady,
  payload: { ...payload },
});
