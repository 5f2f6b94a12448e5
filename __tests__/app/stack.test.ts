import { canConnect, pod, podLabels } from '../network/evaluator';
import { App, Chart, Testing } from 'cdk8s';
import { buildDoitStack, DoitConfig, DoitSecretValues, doitOutputFile, loadConfig } from '../../app';
import { expectValid, validate } from '../../lib';
import { find, Manifest, selects, synth, declared } from '../util';

import { FAKE_SECRETS as FAKE } from '../fixtures/secrets';

function stack(env: Record<string, string> = {}, secrets: DoitSecretValues | null = FAKE) {
  const config: DoitConfig = loadConfig({ env, cwd: __dirname });
  const app: App = Testing.app();
  const s = buildDoitStack(app, { config, secrets: secrets ?? undefined });
  const charts = app.charts;
  const byChart = Object.fromEntries(charts.map(c => [c.node.id, synth(c)])) as Record<string, Manifest[]>;
  return { app, s, byChart, all: Object.values(byChart).flat() };
}

describe('the doit stack on defaults', () => {
  test('snapshot of the full default output', () => {
    expect(stack().byChart).toMatchSnapshot();
  });

  test('passes synth-time validation, in every TLS mode and both secret modes', () => {
    expect(expectValid(stack().app).waivers).toEqual([]);
    for (const env of <Array<Record<string, string>>>[
      { DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'self-signed' },
      { DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'cert-manager', DOIT_TLS_CLUSTER_ISSUER: 'letsencrypt' },
      { DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'secret', DOIT_TLS_SECRET_NAME: 'doit-tls', DOIT_INGRESS_CONTROLLER: 'nginx' },
      { DOIT_REGISTRY_ENABLED: 'false' },
    ]) {
      expect(validate(stack(env).app).errors).toEqual([]);
    }
    expect(validate(stack({}, null).app).errors).toEqual([]);
  });

  test('the namespaces it creates enforce, warn and audit the restricted Pod Security level', () => {
    const { byChart } = stack();
    for (const name of ['doit', 'container-registry']) {
      expect(find(byChart.namespaces, 'Namespace', name).metadata.labels).toEqual({
        'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/warn-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/audit-version': 'latest',
      });
    }
  });

  test('data volumes use a Retain StorageClass (created once), so even deleting the namespace keeps the data', () => {
    const { byChart } = stack();
    const sc = find(byChart.namespaces, 'StorageClass', 'microk8s-hostpath-retain');
    expect(sc).toMatchObject({ provisioner: 'microk8s.io/hostpath', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    expect(sc.metadata.namespace).toBeUndefined();
    expect(find(byChart['03-doit'], 'StatefulSet', 'postgres').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('microk8s-hostpath-retain');
    expect(find(byChart['02-registry'], 'StatefulSet', 'registry').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('microk8s-hostpath-retain');
    expect(stack({ DOIT_POSTGRES_STORAGE_CLASS: 'ceph', DOIT_REGISTRY_STORAGE_CLASS: 'ceph' }).byChart.namespaces.some(m => m.kind === 'StorageClass')).toBe(false);
  });

  test('cert-manager with HTTP-01: the solver pods are allowed through default deny', () => {
    const names = (env: Record<string, string>) => stack(env).byChart['03-doit'].filter(m => m.kind === 'NetworkPolicy').map(m => m.metadata.name);
    expect(names({ DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'cert-manager', DOIT_TLS_CLUSTER_ISSUER: 'letsencrypt' })).toContain('acme-http01-solver-ingress');
    expect(names({ DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'self-signed' })).not.toContain('acme-http01-solver-ingress');
    expect(names({})).not.toContain('acme-http01-solver-ingress');
  });

  test('daily backups of the database to a retained volume, configurable', () => {
    const { byChart } = stack({ DOIT_BACKUP_RETENTION: '14' });
    const cron = find(byChart['03-doit'], 'CronJob', 'postgres-backup');
    expect(cron.spec.schedule).toBe('15 2 * * *');
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].env.find((e: any) => e.name === 'BACKUP_RETENTION').value).toBe('14');
    expect(find(byChart.volumes, 'PersistentVolumeClaim', 'postgres-backups').spec.storageClassName).toBe('microk8s-hostpath-retain');
    expect(byChart['03-doit'].some(m => m.kind === 'PersistentVolumeClaim')).toBe(false); // never deleted with the app
    expect(stack({ DOIT_BACKUP_ENABLED: 'false' }).byChart['03-doit'].some(m => m.kind === 'CronJob')).toBe(false);
  });

  test('charts in apply order: namespaces, secrets, registry, doit', () => {
    const { app } = stack();
    expect(app.charts.map(c => c.node.id)).toEqual(['namespaces', 'volumes', '01-secrets', '02-registry', '03-doit']);
    expect(app.charts.map(c => doitOutputFile(c))).toEqual(['bootstrap/00-namespaces.k8s.yaml', 'bootstrap/01-volumes.k8s.yaml', '01-secrets.k8s.yaml', '02-registry.k8s.yaml', '03-doit.k8s.yaml']);
  });

  test('readable names; the part-of label on every object but the bootstrap ones', () => {
    const { all, byChart } = stack();
    const bootstrap = new Set([...byChart.namespaces, ...byChart.volumes]);
    for (const m of all) {
      // pruning by this label must never reach a Namespace or a volume claim
      expect(m.metadata.labels?.['app.kubernetes.io/part-of']).toBe(bootstrap.has(m) ? undefined : 'doit');
      expect(m.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/); // no cdk8s hash suffixes
    }
    expect(all.map(m => `${m.kind}/${m.metadata.name}`)).toEqual(expect.arrayContaining([
      'Namespace/doit', 'PersistentVolumeClaim/postgres-backups', 'StatefulSet/postgres', 'Deployment/elixir', 'Service/elixir-headless', 'Ingress/elixir', 'StatefulSet/registry',
    ]));
  });

  test('wiring: Postgres → DATABASE_URL, ingress host → PHX_HOST, registry → image, doit image facts', () => {
    const { byChart, s } = stack({ DOIT_HOST: 'doit.example.com', DOIT_IMAGE_TAG: '2.0.1' });
    const dep = find(byChart['03-doit'], 'Deployment', 'elixir');
    const c = dep.spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(env.DATABASE_URL.valueFrom.secretKeyRef).toEqual({ name: s.doit.postgres.secretName, key: 'DATABASE_URL' });
    expect(env.PHX_HOST.value).toBe(find(byChart['03-doit'], 'Ingress', 'elixir').spec.rules[0].host);
    expect(env.PHX_HOST.value).toBe('doit.example.com');
    expect(c.image).toBe('localhost:32000/doit:2.0.1');
    expect(env.RELEASE_NODE.value).toBe('doit@$(POD_IP)');
    expect(selects(find(byChart['03-doit'], 'Service', 'elixir-headless').spec.selector, dep.spec.template.metadata.labels)).toBe(true);
    expect(dep.spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['wait-for-database', 'migrate']);
    expect(dep.spec.template.spec.initContainers[1].command).toEqual(['/app/bin/doit', 'eval', 'Doit.Release.migrate']);
    expect(env.PHX_HOST.value).toBe(s.doit.ingress.host);
  });

  test('DOIT_HOST as a node IP: host-less Ingress, PHX_HOST that IP (LiveView\'s origin check), controller certificate only', () => {
    const { byChart } = stack({ DOIT_HOST: '192.168.1.50' });
    const env = Object.fromEntries(find(byChart['03-doit'], 'Deployment', 'elixir').spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.PHX_HOST).toBe('192.168.1.50');
    expect(find(byChart['03-doit'], 'Ingress', 'elixir').spec.rules.map((r: any) => r.host)).toEqual([undefined]);
    expect(() => stack({ DOIT_HOST: '192.168.1.50', DOIT_TLS_MODE: 'self-signed' })).toThrow(/this tls.mode needs a DNS host name .* only "controller-default" works with an IP address/);
  });

  test('every container requests and limits ephemeral storage and every emptyDir is capped, in every pod of the stack', () => {
    const { all } = stack({ DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'self-signed' });
    const pods = all.map(m => m.spec?.jobTemplate?.spec?.template?.spec ?? m.spec?.template?.spec).filter(Boolean);
    expect(pods.length).toBeGreaterThanOrEqual(5);
    for (const pod of pods) {
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect([c.name, c.resources.requests['ephemeral-storage'], c.resources.limits['ephemeral-storage']]).toEqual([c.name, '64Mi', '1Gi']);
      }
      for (const v of (pod.volumes ?? []).filter((v: any) => v.emptyDir)) expect([v.name, typeof v.emptyDir.sizeLimit]).toEqual([v.name, 'string']);
    }
  });

  test('every image pinnable by digest: the app (DOIT_IMAGE_DIGEST), postgres, the registry and its kubectl; a bad digest names its variable', () => {
    const d = (c: string) => `sha256:${c.repeat(64)}`;
    const { all } = stack({ DOIT_IMAGE_DIGEST: d('a'), DOIT_POSTGRES_IMAGE_DIGEST: d('b'), DOIT_REGISTRY_IMAGE_DIGEST: d('c'), DOIT_REGISTRY_KUBECTL_IMAGE_DIGEST: d('e') });
    const images = new Set(all.flatMap(m => {
      const pod = m.spec?.jobTemplate?.spec?.template?.spec ?? m.spec?.template?.spec;
      return pod ? [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => c.image) : [];
    }));
    expect([...images].sort()).toEqual([
      `localhost:32000/doit:0.1.0@${d('a')}`, `postgres:17.6@${d('b')}`, `registry.k8s.io/kubectl:v1.36.3@${d('e')}`, `registry:2.8.3@${d('c')}`,
    ]);
    expect(() => stack({ DOIT_IMAGE_DIGEST: 'sha256:abc' })).toThrow(/DOIT_IMAGE_DIGEST.*expected sha256:<64 lower-case hex digits>/);
    expect(() => stack({ DOIT_POSTGRES_IMAGE_DIGEST: 'latest' })).toThrow(/DOIT_POSTGRES_IMAGE_DIGEST/);
  });

  test('HSTS on the HTTPS route by default; DOIT_INGRESS_HSTS=false turns it off', () => {
    const hsts = (env: Record<string, string>) => stack(env).byChart['03-doit'].filter(m => m.kind === 'Middleware' && m.spec.headers?.stsSeconds);
    expect(hsts({}).map(m => m.spec.headers.stsSeconds)).toEqual([31536000]);
    expect(hsts({ DOIT_INGRESS_HSTS: 'false' })).toEqual([]);
  });

  test('self-signed TLS: the CA and its Issuers live in the app namespace; nothing cluster-wide', () => {
    const { byChart, all } = stack({ DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'self-signed' });
    expect(Object.keys(byChart)).not.toContain('cluster-issuers');
    expect(all.filter(m => m.apiVersion === 'cert-manager.io/v1').map(m => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).sort())
      .toEqual(['Certificate/doit/local-ca', 'Issuer/doit/local-ca', 'Issuer/doit/local-ca-bootstrap']);
    expect(find(byChart['03-doit'], 'Ingress', 'elixir').metadata.annotations['cert-manager.io/issuer']).toBe('local-ca');
  });

  test('local mode: PHX_HOST localhost, reached at https://localhost', () => {
    const { s, byChart } = stack();
    expect(s.doit.ingress.url).toBe('https://localhost');
    const env = find(byChart['03-doit'], 'Deployment', 'elixir').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'PHX_HOST').value).toBe('localhost');
  });

  test('secrets only in the secrets file, never elsewhere in the output', () => {
    const { byChart } = stack();
    expect(byChart['01-secrets'].map(m => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual([
      'Secret/container-registry/registry-htpasswd', 'Secret/container-registry/registry-http-secret',
      'Secret/doit/elixir-secrets', 'Secret/doit/postgres-credentials', 'Secret/doit/postgres-superuser', 'Secret/doit/registry-pull',
    ]);
    for (const [chart, ms] of Object.entries(byChart)) {
      if (chart === '01-secrets') continue;
      const text = JSON.stringify(ms);
      expect(ms.some(m => m.kind === 'Secret')).toBe(false);
      for (const v of Object.values(FAKE)) expect(text).not.toContain(v);
    }
  });

  test('existing-secrets mode: no secrets file, Secrets referenced by documented names and declared external', () => {
    const { app, byChart } = stack({ DOIT_SECRETS_MODE: 'existing' }, null);
    expect(app.charts.map(c => c.node.id)).toEqual(['namespaces', 'volumes', '02-registry', '03-doit']);
    expect(byChart['03-doit'].some(m => m.kind === 'Secret')).toBe(false);
    expect(declared(app, 'Deployment', 'elixir').secrets).toBe('elixir-secrets,postgres-credentials,registry-pull');
    // The superuser's Secret is the database's alone, under the same name as the generated one.
    expect(declared(app, 'StatefulSet', 'postgres').secrets).toBe('postgres-credentials,postgres-superuser');
    expect(declared(app, 'StatefulSet', 'registry').secrets).toBe('registry-htpasswd,registry-http-secret');
    // validator bookkeeping stays in the construct tree: no object of the output carries it
    for (const m of Object.values(byChart).flat()) {
      expect(Object.keys(m.metadata.annotations ?? {}).filter(k => k.startsWith('validation.microk8s-phoenix.io/'))).toEqual([]);
    }
  });

  test('the superuser password is in its own Secret, which only the database pod references', () => {
    for (const env of <Array<Record<string, string>>>[{}, { DOIT_SECRETS_MODE: 'existing' }]) {
      const { byChart, s } = stack(env, env.DOIT_SECRETS_MODE ? null : undefined);
      expect(s.doit.postgres.superuserSecretName).toBe('postgres-superuser');
      const referencing = Object.values(byChart).flat()
        .filter(m => JSON.stringify(m.spec ?? {}).includes('"postgres-superuser"'))
        .map(m => `${m.kind}/${m.metadata.name}`);
      expect(referencing).toEqual(['StatefulSet/postgres']);
    }
    const { byChart } = stack();
    const appSecret = find(byChart['01-secrets'], 'Secret', 'postgres-credentials');
    expect(Object.keys(appSecret.data).sort()).toEqual(['DATABASE_URL', 'database', 'host', 'password', 'port', 'username']);
    expect(JSON.stringify(appSecret)).not.toContain(Buffer.from(FAKE.postgresSuperuserPassword).toString('base64'));
    expect(Buffer.from(find(byChart['01-secrets'], 'Secret', 'postgres-superuser').data.password, 'base64').toString()).toBe(FAKE.postgresSuperuserPassword);
  });

  test('registry authentication by default: the app pulls with the pull Secret; DOIT_REGISTRY_AUTH=false opts out', () => {
    const pod = (env: Record<string, string>) => find(stack(env).byChart['03-doit'], 'Deployment', 'elixir').spec.template.spec;
    expect(pod({}).imagePullSecrets).toEqual([{ name: 'registry-pull' }]);
    const { byChart } = stack();
    expect(JSON.parse(Buffer.from(find(byChart['01-secrets'], 'Secret', 'registry-pull').data['.dockerconfigjson'], 'base64').toString()).auths['localhost:32000'].username).toBe('doit');
    expect(pod({ DOIT_REGISTRY_AUTH: 'false' }).imagePullSecrets).toBeUndefined();
    expect(stack({ DOIT_REGISTRY_AUTH: 'false' }).byChart['01-secrets'].map(m => m.metadata.name)).not.toContain('registry-htpasswd');
    // An image from elsewhere, or the registry addon: no pull Secret of ours.
    expect(pod({ DOIT_IMAGE_REPOSITORY: 'ghcr.io/me/doit' }).imagePullSecrets).toBeUndefined();
    expect(pod({ DOIT_REGISTRY_ENABLED: 'false' }).imagePullSecrets).toBeUndefined();
  });

  test('NetworkPolicies: default deny plus the flows the constructs registered, in the app namespace', () => {
    const { byChart } = stack();
    const doit = byChart['03-doit'];
    const names = doit.filter(m => m.kind === 'NetworkPolicy').map(m => m.metadata.name).sort();
    expect(names).toEqual(['allow-dns', 'default-deny', 'elixir-egress', 'elixir-ingress', 'postgres-backup-egress', 'postgres-ingress']);
    const labels = (kind: string, name: string) => pod('doit', podLabels(find(doit, kind, name)));
    const [app, db, backup] = [labels('Deployment', 'elixir'), labels('StatefulSet', 'postgres'), labels('CronJob', 'postgres-backup')];
    const controller = pod('ingress', { 'app.kubernetes.io/name': 'traefik' });
    expect(canConnect(doit, controller, app, 4000)).toBe(true);
    expect(canConnect(doit, app, app, 9000)).toBe(true);
    expect(canConnect(doit, app, db, 5432)).toBe(true);
    expect(canConnect(doit, backup, db, 5432)).toBe(true); // the backup registered itself
    expect(canConnect(doit, controller, db, 5432)).toBe(false);
    expect(canConnect(doit, backup, app, 4000)).toBe(false);
    expect(canConnect(doit, pod('doit', { app: 'debug' }), db, 5432)).toBe(false);
    expect(find(doit, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('several stacks in one App (distinct namespaces) do not collide', () => {
    const app = Testing.app();
    for (let i = 0; i < 3; i++) {
      buildDoitStack(app, { config: loadConfig({ env: { DOIT_NAMESPACE: `doit-${i}`, DOIT_REGISTRY_NODE_PORT: String(32000 + i) }, cwd: __dirname }), secrets: FAKE, prefix: `s${i}` });
    }
    expect(validate(app).errors).toEqual([]);
    expect((app.charts as Chart[]).length).toBe(15);
  });
});
