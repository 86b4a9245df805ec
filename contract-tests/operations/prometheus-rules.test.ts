import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const deploy = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

/** Runs promtool; resolves with its output and exit code instead of throwing on a failure. */
const promtool = async (...args: string[]): Promise<{ code: number; output: string }> => {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: deploy, timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
};

describe('deploy/prometheus checked by promtool', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'meshwork-promtool-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('the alert rules are valid', async () => {
    const checked = await promtool('check', 'rules', 'rules/meshwork-alerts.yml');
    expect(checked, checked.output).toMatchObject({ code: 0 });
    expect(checked.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('each alert fires on the series that should fire it and on no other (promtool test rules)', async () => {
    const tested = await promtool('test', 'rules', 'tests/meshwork-alerts.test.yml');
    expect(tested, tested.output).toMatchObject({ code: 0 });
    // Every alert of the rules file has a unit test.
    const rules = await readFile(join(deploy, 'rules/meshwork-alerts.yml'), 'utf8');
    const tests = await readFile(join(deploy, 'tests/meshwork-alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((match) => match[1]!);
    expect(alerts.length).toBeGreaterThanOrEqual(10);
    expect(alerts.filter((alert) => !tests.includes(`alertname: ${alert}`))).toEqual([]);
  });

  it('a rule that fires on a healthy series fails its unit test', async () => {
    // The unit tests have teeth: the breaker alert rewritten to fire on closed breakers fails them.
    const rules = await readFile(join(deploy, 'rules/meshwork-alerts.yml'), 'utf8');
    const broken = rules.replace('meshwork_mesh_breaker_state{state="open"}', 'meshwork_mesh_breaker_state{state="closed"}');
    expect(broken).not.toBe(rules);
    await mkdir(join(scratch, 'rules'), { recursive: true });
    await mkdir(join(scratch, 'tests'), { recursive: true });
    await writeFile(join(scratch, 'rules/meshwork-alerts.yml'), broken);
    await copyFile(join(deploy, 'tests/meshwork-alerts.test.yml'), join(scratch, 'tests/meshwork-alerts.test.yml'));
    const tested = await promtool('test', 'rules', join(scratch, 'tests/meshwork-alerts.test.yml'));
    expect(tested.code).not.toBe(0);
    expect(tested.output).toContain('MeshworkBreakerOpen');
  });

  it('the static scrape configuration is valid', async () => {
    const checked = await promtool('check', 'config', 'prometheus.yml');
    expect(checked, checked.output).toMatchObject({ code: 0 });
  });

  it('the Kubernetes scrape configuration is valid', async () => {
    const checked = await promtool('check', 'config', 'prometheus-kubernetes.yml');
    if (checked.code === 0) return;
    // Debian's build leaves Kubernetes service discovery out ("field kubernetes_sd_configs not found"):
    // check everything else (relabelling, rule files) with file discovery in its place.
    expect(checked.output).toContain('field kubernetes_sd_configs not found');
    const config = await readFile(join(deploy, 'prometheus-kubernetes.yml'), 'utf8');
    const discovery =
      /    kubernetes_sd_configs:\n      - role: pod\n        selectors:\n          - role: pod\n            label: [^\n]+\n/;
    expect(config).toMatch(discovery);
    await mkdir(join(scratch, 'k8s/rules'), { recursive: true });
    await copyFile(join(deploy, 'rules/meshwork-alerts.yml'), join(scratch, 'k8s/rules/meshwork-alerts.yml'));
    await writeFile(join(scratch, 'k8s/targets.json'), '[]');
    await writeFile(
      join(scratch, 'k8s/prometheus.yml'),
      config.replace(discovery, '    file_sd_configs:\n      - files: [targets.json]\n'),
    );
    const fallback = await promtool('check', 'config', join(scratch, 'k8s/prometheus.yml'));
    expect(fallback, fallback.output).toMatchObject({ code: 0 });
  });
});
