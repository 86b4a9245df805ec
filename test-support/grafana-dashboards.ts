import { readdirSync, readFileSync } from 'node:fs';

export interface Target {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}
export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly Target[];
  readonly gridPos?: { readonly h: number; readonly w: number; readonly x: number; readonly y: number };
  readonly panels?: readonly Panel[];
}
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly schemaVersion: number;
  readonly panels: readonly Panel[];
  readonly templating: {
    readonly list: readonly { readonly name: string; readonly type: string; readonly query?: unknown; readonly definition?: string }[];
  };
}

const folder = new URL('../deploy/grafana/', import.meta.url);

/** The dashboards of deploy/grafana, parsed. */
export const grafanaDashboards = (): { file: string; dashboard: Dashboard }[] =>
  readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(new URL(file, folder), 'utf8')) as Dashboard }));

/** Every panel, those inside rows too. */
export const panelsOf = (dashboard: Dashboard): Panel[] => dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);

/** Every PromQL expression of a dashboard: panel targets and query variables. */
export const expressionsOf = (dashboard: Dashboard): { where: string; expr: string }[] => [
  ...panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr ?? '' })),
  ),
  ...dashboard.templating.list
    .filter((variable) => variable.type === 'query')
    .map((variable) => ({
      where: `variable $${variable.name}`,
      expr: (variable.definition ?? '').replace(/^label_values\((.*),\s*\w+\)$/, '$1'),
    })),
];
