/** One sample of bench/pool-scaling.ts: the offered load and the size of both pools at one instant. */
export interface PoolScalingSample {
  /** `real`: real time; `manual`: the pools' clock jumps 30 s per step. */
  readonly phase: 'real' | 'manual';
  /** Seconds since the run began, on the pools' clock. */
  readonly atS: number;
  /** Calls per second offered to each pool. */
  readonly offered: number;
  /** Calls per second the pool with the evidence minimum completed over its 1 s window. */
  readonly completed: number;
  readonly withMinimum: number;
  readonly withoutMinimum: number;
}

/** What the run says about itself besides the samples: the scale-ups of each pool by trigger, the machine's load. */
export interface PoolScalingRun {
  readonly samples: readonly PoolScalingSample[];
  readonly scaleUps: { readonly withMinimum: Readonly<Record<string, number>>; readonly withoutMinimum: Readonly<Record<string, number>> };
  /** One-minute load average at the start and at the end of the run, and the cores. */
  readonly load: { readonly start: number; readonly end: number; readonly cores: number };
}

interface Panel {
  readonly x: number;
  readonly width: number;
  readonly samples: readonly PoolScalingSample[];
  readonly from: number;
  readonly to: number;
  /** Sample time (s) to the panel's axis unit. */
  readonly unit: (seconds: number) => number;
  readonly ticks: readonly number[];
  readonly axisLabel: string;
  readonly title: string;
}

const WIDTH = 1500;
const HEIGHT = 825;
const TOP = 175;
const PLOT_HEIGHT = 480;
const MAX_LOAD = 300;
const MAX_CONNECTIONS = 24;
const COLOURS = { load: '#9aa5b1', withMinimum: '#1f5fbf', withoutMinimum: '#e07b00', grid: '#e3e7eb', text: '#1d2733', muted: '#5b6672' };

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const text = (x: number, y: number, content: string, attrs = ''): string =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escape(content)}</text>`;

/** A line that holds each value until the next sample (pool sizes change in steps). */
const stepPath = (points: ReadonlyArray<readonly [number, number]>): string =>
  points.map(([x, y], i) => (i === 0 ? `M${x.toFixed(1)},${y.toFixed(1)}` : `H${x.toFixed(1)}V${y.toFixed(1)}`)).join('');

const panelSvg = (panel: Panel): string => {
  const sx = (seconds: number) => panel.x + ((panel.unit(seconds) - panel.from) / (panel.to - panel.from)) * panel.width;
  const axisX = (value: number) => panel.x + ((value - panel.from) / (panel.to - panel.from)) * panel.width;
  const loadY = (load: number) => TOP + PLOT_HEIGHT - (load / MAX_LOAD) * PLOT_HEIGHT;
  const connY = (connections: number) => TOP + PLOT_HEIGHT - (connections / MAX_CONNECTIONS) * PLOT_HEIGHT;
  const bottom = TOP + PLOT_HEIGHT;
  const parts: string[] = [];
  for (const load of [0, 50, 100, 150, 200, 250, 300]) {
    parts.push(`<line x1="${panel.x}" x2="${panel.x + panel.width}" y1="${loadY(load)}" y2="${loadY(load)}" stroke="${COLOURS.grid}"/>`);
    parts.push(text(panel.x - 8, loadY(load) + 5, String(load), `text-anchor="end" font-size="15" fill="${COLOURS.muted}"`));
  }
  for (const connections of [0, 5, 10, 15, 20]) {
    parts.push(
      text(panel.x + panel.width + 8, connY(connections) + 5, String(connections), `font-size="15" fill="${COLOURS.withMinimum}"`),
    );
  }
  for (const tick of panel.ticks) {
    parts.push(`<line x1="${axisX(tick)}" x2="${axisX(tick)}" y1="${bottom}" y2="${bottom + 6}" stroke="${COLOURS.muted}"/>`);
    parts.push(text(axisX(tick), bottom + 24, String(tick), `text-anchor="middle" font-size="15" fill="${COLOURS.muted}"`));
  }
  // The specification's rps trigger, on the load axis.
  parts.push(
    `<line x1="${panel.x}" x2="${panel.x + panel.width}" y1="${loadY(100)}" y2="${loadY(100)}" stroke="${COLOURS.load}" stroke-dasharray="2,4" stroke-width="2"/>`,
  );
  const { samples } = panel;
  const area = [
    `M${sx(samples[0]!.atS).toFixed(1)},${bottom}`,
    ...samples.map((s) => `L${sx(s.atS).toFixed(1)},${loadY(s.offered).toFixed(1)}`),
    `L${sx(samples.at(-1)!.atS).toFixed(1)},${bottom}Z`,
  ].join('');
  parts.push(`<path d="${area}" fill="${COLOURS.load}" fill-opacity="0.35" stroke="${COLOURS.load}" stroke-width="1.5"/>`);
  // The dashed line on top: where both pools have the same size it still shows.
  parts.push(
    `<path d="${stepPath(samples.map((s) => [sx(s.atS), connY(s.withMinimum)] as const))}" fill="none" stroke="${COLOURS.withMinimum}" stroke-width="5"/>`,
  );
  parts.push(
    `<path d="${stepPath(samples.map((s) => [sx(s.atS), connY(s.withoutMinimum)] as const))}" fill="none" stroke="${COLOURS.withoutMinimum}" stroke-width="2.5" stroke-dasharray="8,6"/>`,
  );
  parts.push(`<rect x="${panel.x}" y="${TOP}" width="${panel.width}" height="${PLOT_HEIGHT}" fill="none" stroke="${COLOURS.muted}"/>`);
  parts.push(
    text(panel.x + panel.width / 2, TOP - 14, panel.title, `text-anchor="middle" font-size="17" font-weight="600" fill="${COLOURS.text}"`),
  );
  parts.push(text(panel.x + panel.width / 2, bottom + 50, panel.axisLabel, `text-anchor="middle" font-size="16" fill="${COLOURS.text}"`));
  return parts.join('\n');
};

const triggers = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([trigger, count]) => `${trigger} ${count}`)
    .join(', ') || 'none';

/** Pool size against offered load, in two panels: the first minute in real time, then the manual clock. */
export const renderPoolScalingSvg = (run: PoolScalingRun): string => {
  const { samples } = run;
  const real = samples.filter((s) => s.phase === 'real');
  const manual = samples.filter((s) => s.phase === 'manual');
  const realStart = real[0]?.atS ?? 0;
  const manualStart = manual[0]?.atS ?? 0;
  const panels: Panel[] = [
    {
      x: 90,
      width: 500,
      samples: real,
      from: 0,
      to: 60,
      unit: (s) => s - realStart,
      ticks: [0, 10, 20, 30, 40, 50, 60],
      axisLabel: 'seconds (real time)',
      title: 'The first minute, in real time',
    },
    {
      x: 720,
      width: 690,
      samples: manual,
      from: 0,
      to: 115,
      unit: (s) => (s - manualStart) / 60 + 1,
      ticks: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110],
      axisLabel: 'minutes (manual clock: 30 s per step)',
      title: 'Then 115 minutes on the manual clock: down, a burst at minute 95, down',
    },
  ];
  const legendY = HEIGHT - 58;
  const legend = [
    `<rect x="90" y="${legendY - 13}" width="26" height="16" fill="${COLOURS.load}" fill-opacity="0.35" stroke="${COLOURS.load}"/>`,
    text(124, legendY, 'offered load, calls/s (left axis; dotted: the rps trigger, 100/s)', `font-size="16" fill="${COLOURS.text}"`),
    `<line x1="720" x2="760" y1="${legendY - 5}" y2="${legendY - 5}" stroke="${COLOURS.withMinimum}" stroke-width="5"/>`,
    text(768, legendY, 'pool size: rate and latency need 20 calls in the window (ADR 0059)', `font-size="16" fill="${COLOURS.text}"`),
    `<line x1="720" x2="760" y1="${legendY + 21}" y2="${legendY + 21}" stroke="${COLOURS.withoutMinimum}" stroke-width="2.5" stroke-dasharray="8,6"/>`,
    text(
      768,
      legendY + 26,
      'pool size without the minimum (before): 4 slow calls/s take it to 20',
      `font-size="16" fill="${COLOURS.text}"`,
    ),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(
      90,
      40,
      'Connection pool size against offered load (one real pool per policy, one real gRPC server)',
      `font-size="22" font-weight="700" fill="${COLOURS.text}"`,
    ),
    text(
      90,
      66,
      'Specification thresholds: up on utilisation > 80%, queue > 10, > 100 calls/s or > 50 ms average latency (errors < 5%); down below 30% and a queue < 2,',
      `font-size="14" fill="${COLOURS.muted}"`,
    ),
    text(
      90,
      84,
      '5 minutes after the last change, checked every 30 s; 5 to 20 connections. Both pools get the same open-loop load; calls take 80 ms at the server for the first 10 s, then 10 ms.',
      `font-size="14" fill="${COLOURS.muted}"`,
    ),
    text(
      90,
      102,
      'Right panel: the pools run on a manual clock that jumps 30 s per step with 0.6 s of real load each (no call in flight across a jump): the quiet periods are not waited for.',
      `font-size="14" fill="${COLOURS.muted}"`,
    ),
    text(
      90,
      120,
      `Scale-ups by trigger: with the minimum ${triggers(run.scaleUps.withMinimum)}; without ${triggers(run.scaleUps.withoutMinimum)}. ` +
        `Load average ${run.load.start.toFixed(1)} to ${run.load.end.toFixed(1)} on ${run.load.cores} cores (a shared machine).`,
      `font-size="14" fill="${COLOURS.muted}"`,
    ),
    text(
      40,
      TOP + PLOT_HEIGHT / 2,
      'calls/s',
      `font-size="15" fill="${COLOURS.muted}" transform="rotate(-90 40 ${TOP + PLOT_HEIGHT / 2})" text-anchor="middle"`,
    ),
    text(
      WIDTH - 30,
      TOP + PLOT_HEIGHT / 2,
      'connections',
      `font-size="15" fill="${COLOURS.withMinimum}" transform="rotate(90 ${WIDTH - 30} ${TOP + PLOT_HEIGHT / 2})" text-anchor="middle"`,
    ),
    ...panels.map(panelSvg),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
};
