import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { ConfigError, loadConfig } from '../../app/config';
import { buildDoitStack } from '../../app/stack';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cfg-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ env, cwd: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/^Invalid doit configuration \(nothing was written to dist\/\)/);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  test('defaults', () => {
    const c = loadConfig({ env: {}, cwd: dir });
    expect(c).toMatchObject({
      namespace: 'doit', image: { name: 'doit', tag: '0.1.0' }, replicas: 3,
      postgres: { storageSize: '5Gi', storageClassName: 'microk8s-hostpath-retain' },
      registry: { enabled: true, nodePort: 32000 },
      tls: { mode: 'controller-default' }, ingress: { controller: 'traefik', className: 'public' },
      secrets: { mode: 'local-file', file: '.secrets/doit.json' },
    });
    expect(c.host).toBeUndefined();
  });

  test('the Kubernetes minor picks the ingress controller default (NGINX up to 1.34) and kubectl; an explicit controller wins', () => {
    expect(loadConfig({ env: {}, cwd: dir })).toMatchObject({ kubernetesVersion: '1.36', ingress: { controller: 'traefik' } });
    expect(loadConfig({ env: { DOIT_KUBERNETES_VERSION: '1.35' }, cwd: dir }).ingress.controller).toBe('traefik');
    expect(loadConfig({ env: { DOIT_KUBERNETES_VERSION: '1.34' }, cwd: dir }).ingress.controller).toBe('nginx');
    expect(loadConfig({ env: { DOIT_KUBERNETES_VERSION: '1.36', DOIT_INGRESS_CONTROLLER: 'nginx' }, cwd: dir }).ingress.controller).toBe('nginx');
    expect(problems({ DOIT_KUBERNETES_VERSION: '1.28' })).toEqual([
      'kubernetesVersion (from env DOIT_KUBERNETES_VERSION="1.28"): Invalid option: expected one of "1.34"|"1.35"|"1.36"',
    ]);
    const app = Testing.app();
    buildDoitStack(app, { config: loadConfig({ env: { DOIT_KUBERNETES_VERSION: '1.34' }, cwd: dir }), secrets: undefined });
    const gc = app.charts.flatMap(c => c.toJson()).find((m: any) => m.kind === 'CronJob' && m.metadata.name === 'registry-gc');
    expect(gc.spec.jobTemplate.spec.template.spec.containers[0].image).toBe('registry.k8s.io/kubectl:v1.34.4');
  });

  test('config file overrides defaults, env overrides the file', () => {
    writeFileSync(join(dir, 'doit.config.yaml'), 'replicas: 5\nhost: doit.example.com\nimage:\n  tag: "1.2.3"\n');
    const c = loadConfig({ env: { DOIT_REPLICAS: '2' }, cwd: dir });
    expect(c.replicas).toBe(2);
    expect(c.host).toBe('doit.example.com');
    expect(c.image.tag).toBe('1.2.3');
  });

  test('DOIT_CONFIG names another file; a missing one is an error', () => {
    writeFileSync(join(dir, 'prod.yaml'), 'ingress:\n  controller: nginx\n');
    expect(loadConfig({ env: { DOIT_CONFIG: 'prod.yaml' }, cwd: dir }).ingress.controller).toBe('nginx');
    expect(problems({ DOIT_CONFIG: 'nope.yaml' })[0]).toMatch(/DOIT_CONFIG="nope.yaml": file not found/);
  });

  test('booleans and integers from env', () => {
    const c = loadConfig({ env: { DOIT_REGISTRY_ENABLED: 'false', DOIT_REGISTRY_NODE_PORT: '32001' }, cwd: dir });
    expect(c.registry.enabled).toBe(false);
    expect(c.registry.nodePort).toBe(32001);
    // true as well as false, for every switch, over a file that says the opposite
    writeFileSync(join(dir, 'doit.config.yaml'), 'registry:\n  enabled: false\nbackup:\n  enabled: false\n');
    const on = loadConfig({ env: { DOIT_REGISTRY_ENABLED: 'true', DOIT_BACKUP_ENABLED: 'true' }, cwd: dir });
    expect([on.registry.enabled, on.backup.enabled]).toEqual([true, true]);
    const file = loadConfig({ env: {}, cwd: dir });
    expect([file.registry.enabled, file.backup.enabled]).toEqual([false, false]);
  });

  test('every problem is reported with its source', () => {
    const p = problems({ DOIT_REPLICAS: '0', DOIT_IMAGE_TAG: 'latest', DOIT_REPLICA: '2', DOIT_HOST: 'Bad_Host' });
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/^environment variable DOIT_REPLICA is not a setting; known: .*DOIT_REPLICAS/),
      expect.stringMatching(/^image\.tag \(from env DOIT_IMAGE_TAG="latest"\): must not be "latest"/),
      expect.stringMatching(/^replicas \(from env DOIT_REPLICAS="0"\): .*>=1/),
      expect.stringMatching(/^host \(from env DOIT_HOST="Bad_Host"\): expected a lower-case DNS host name/),
    ]));
    expect(p).toHaveLength(4);
  });

  test('non-numeric integer and bad boolean', () => {
    expect(problems({ DOIT_REPLICAS: 'three' })).toEqual(['replicas (from env DOIT_REPLICAS="three"): expected an integer']);
    expect(problems({ DOIT_REGISTRY_ENABLED: 'maybe' })).toEqual(['registry.enabled (from env DOIT_REGISTRY_ENABLED="maybe"): expected true or false']);
  });

  test('unknown keys and bad values in the file name the file', () => {
    writeFileSync(join(dir, 'doit.config.yaml'), 'replica: 3\ningress:\n  controller: haproxy\n');
    const p = problems({});
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/<top level>: unknown setting\(s\) replica/),
      expect.stringMatching(/^ingress\.controller \(from config file .*doit\.config\.yaml\): .*"traefik"\|"nginx"|ingress\.controller .*traefik.*nginx/),
    ]));
  });

  test('TLS modes that need more settings say which', () => {
    expect(problems({ DOIT_TLS_MODE: 'cert-manager', DOIT_HOST: 'doit.example.com' }))
      .toEqual(['tls.clusterIssuer: tls.mode "cert-manager" needs tls.clusterIssuer (DOIT_TLS_CLUSTER_ISSUER)']);
    expect(problems({ DOIT_TLS_MODE: 'secret', DOIT_HOST: 'doit.example.com' }))
      .toEqual(['tls.secretName: tls.mode "secret" needs tls.secretName (DOIT_TLS_SECRET_NAME)']);
    expect(problems({ DOIT_TLS_MODE: 'self-signed' })).toEqual([expect.stringMatching(/^host: this tls.mode needs a DNS host name \(DOIT_HOST\)/)]);
  });

  test('malformed YAML file', () => {
    writeFileSync(join(dir, 'doit.config.yaml'), 'replicas: [3\n');
    expect(problems({})[0]).toMatch(/doit\.config\.yaml: not valid YAML\/JSON/);
  });
});
