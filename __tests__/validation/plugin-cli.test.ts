/** The validation plugin as users meet it: the real `cdk8s synth` with cdk8s.yaml `validations:`. */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const root = join(__dirname, '..', '..');
const cdk8s = join(root, 'node_modules', '.bin', 'cdk8s');

/** `cdk8s synth` of `appFile` in a scratch project; `env` may name files in it (`{dir}`), all removed afterwards. */
function synthIn(appFile: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'plugin-'));
  env = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('{dir}', dir)]));
  try {
    writeFileSync(join(dir, 'cdk8s.yaml'), [
      'language: typescript',
      `app: node --require sucrase/register/ts ${appFile}`,
      'validations:',
      `  - package: ${join(root, 'validation-plugin')}`,
      '    version: 0.1.0',
      '    class: Microk8sPhoenixValidation',
    ].join('\n'));
    const r = spawnSync(cdk8s, ['synth', '--no-check-upgrade'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: join(root, 'node_modules'), ...env } });
    return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a broken app: cdk8s synth exits non-zero and prints the report', () => {
  const { status, out } = synthIn(join(__dirname, '..', 'fixtures', 'broken-app', 'main.ts'));
  expect(status).not.toBe(0);
  expect(out).toContain('ERROR [service-selector] Service/demo/frontend');
  expect(out).toContain('construct: broken/Service');
  expect(out).toContain('ERROR [no-secret-literal-env] Deployment/demo/web');
  expect(out).toContain('construct: broken/Deployment');
  expect(out).toContain('path:      spec.template.spec.containers[0].env[0].value');
  expect(out).toContain('ERROR [run-as-non-root]');
  expect(out).toMatch(/Validation failed/);
});

test('the default app passes the plugin', () => {
  // Generated secrets and the output inside the scratch project, which synthIn removes.
  const { status, out } = synthIn(join(root, 'main.ts'), { DOIT_SECRETS_FILE: '{dir}/.secrets/doit.json', DOIT_OUTDIR: '{dir}/out' });
  expect(out).toContain('0 error(s)');
  expect(status).toBe(0);
});
