import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import {
  ClusterStrategy, ElixirDeployment, ElixirDeploymentProps, ElixirSecrets, expectValid, MigrationMode,
  PostgresCredentials, PostgresStatefulSet, PropError,
} from '../../lib';
import { find, secretValues, selects, synth, testChart, declared } from '../util';

const SKB = 'k'.repeat(64);
const COOKIE = 'c'.repeat(40);
const base: ElixirDeploymentProps = {
  image: 'localhost:32000/doit:1.2.3',
  nodeBasename: 'doit',
  secrets: ElixirSecrets.fromValues({ secretKeyBase: SKB, releaseCookie: COOKIE }),
  headlessServiceName: 'elixir-headless',
  migrations: { command: ['/app/bin/doit', 'eval', 'Doit.Release.migrate'] },
};

function build(props: Partial<ElixirDeploymentProps> = {}, namespace = 'doit') {
  const chart = testChart(namespace);
  const pg = new PostgresStatefulSet(chart, 'Postgres', { credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(20), superuserPassword: 'superuser-'.repeat(3) }), databaseName: 'doit_prod', username: 'doit' });
  const app = new ElixirDeployment(chart, 'Elixir', { database: pg, ...base, ...props });
  const manifests = synth(chart);
  const dep = find(manifests, 'Deployment', app.name);
  const pod = dep.spec.template.spec;
  const container = pod.containers[0];
  const envNames: string[] = container.env.map((e: any) => e.name);
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
  return { chart, pg, app, manifests, dep, pod, container, env, envNames };
}

describe('ElixirDeployment', () => {
  test('snapshot (doit defaults)', () => expect(build().manifests).toMatchSnapshot());

  test('passes synth-time validation in every mode', () => {
    for (const props of [{}, { migrations: { ...base.migrations!, mode: MigrationMode.JOB } }, { migrations: undefined },
      { clusterStrategy: ClusterStrategy.DNS_CLUSTER }, { secrets: ElixirSecrets.fromExistingSecret('app-secrets') }]) {
      expect(expectValid(build(props as Partial<ElixirDeploymentProps>).chart).ok).toBe(true);
    }
  });

  describe('objects and names', () => {
    test('Deployment (3 replicas), ClusterIP Service, headless Service, PDB, Secret', () => {
      const { manifests, dep } = build();
      expect(dep.spec.replicas).toBe(3);
      expect(find(manifests, 'Service', 'elixir').spec.type).toBe('ClusterIP');
      expect(find(manifests, 'Service', 'elixir-headless').spec.clusterIP).toBe('None');
      expect(find(manifests, 'PodDisruptionBudget', 'elixir').spec).toMatchObject({ maxUnavailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
      expect(secretValues(find(manifests, 'Secret', 'elixir-secrets'))).toEqual({ SECRET_KEY_BASE: SKB, RELEASE_COOKIE: COOKIE });
    });

    test('headless Service: not-ready addresses, named epmd and dist ports; handles expose name and DNS query', () => {
      const { manifests, app } = build();
      const headless = find(manifests, 'Service', 'elixir-headless');
      expect(headless.spec.publishNotReadyAddresses).toBe(true);
      expect(headless.spec.ports).toEqual([
        { name: 'epmd', port: 4369, targetPort: 'epmd', protocol: 'TCP' },
        { name: 'dist', port: 9000, targetPort: 'dist', protocol: 'TCP' },
      ]);
      expect(app.headlessServiceName).toBe('elixir-headless');
      expect(app.dnsQuery).toBe('elixir-headless.doit.svc.cluster.local');
      expect(app.serviceName).toBe('elixir');
      expect(app.servicePort).toBe(80);
    });

    test('selectors of both Services and the PDB match the pods; targetPorts are declared', () => {
      const { manifests, dep, container } = build();
      const labels = dep.spec.template.metadata.labels;
      expect(selects(dep.spec.selector.matchLabels, labels)).toBe(true);
      for (const svc of [find(manifests, 'Service', 'elixir'), find(manifests, 'Service', 'elixir-headless')]) {
        expect(selects(svc.spec.selector, labels)).toBe(true);
        for (const p of svc.spec.ports) expect(container.ports.map((cp: any) => cp.name)).toContain(p.targetPort);
      }
      expect(selects(find(manifests, 'PodDisruptionBudget', 'elixir').spec.selector.matchLabels, labels)).toBe(true);
      expect(container.ports).toEqual([
        { name: 'http', containerPort: 4000, protocol: 'TCP' },
        { name: 'epmd', containerPort: 4369, protocol: 'TCP' },
        { name: 'dist', containerPort: 9000, protocol: 'TCP' },
      ]);
    });
  });

  describe('discovery env', () => {
    test('order: POD_IP, RELEASE_DISTRIBUTION, RELEASE_NODE (uses $(POD_IP)), RELEASE_COOKIE from the Secret', () => {
      const { envNames, env } = build();
      expect(envNames.slice(0, 4)).toEqual(['POD_IP', 'RELEASE_DISTRIBUTION', 'RELEASE_NODE', 'RELEASE_COOKIE']);
      expect(env.POD_IP.valueFrom).toEqual({ fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } });
      expect(env.RELEASE_DISTRIBUTION.value).toBe('name');
      expect(env.RELEASE_NODE.value).toBe('doit@$(POD_IP)');
      expect(env.RELEASE_COOKIE.valueFrom).toEqual({ secretKeyRef: { name: 'elixir-secrets', key: 'RELEASE_COOKIE' } });
    });

    test('distribution port pinned in a vm.args that only the main node reads (not ERL_AFLAGS: remote commands would clash)', () => {
      const { env, container, pod, manifests } = build({ distributionPort: 9100 });
      expect(env.ERL_AFLAGS).toBeUndefined();
      expect(env.RELEASE_REMOTE_VM_ARGS).toBeUndefined(); // the release's own remote.vm.args
      expect(env.RELEASE_VM_ARGS.value).toBe('/etc/elixir/vm.args');
      const vmArgs: string = find(manifests, 'ConfigMap', 'elixir-vm-args').data['vm.args'];
      expect(vmArgs.split('\n').filter(l => l && !l.startsWith('##'))).toEqual(['-kernel inet_dist_listen_min 9100 inet_dist_listen_max 9100']);
      expect(container.volumeMounts).toContainEqual({ name: 'vm-args', mountPath: '/etc/elixir', readOnly: true });
      expect(pod.volumes).toContainEqual({ name: 'vm-args', configMap: { name: 'elixir-vm-args', defaultMode: 0o444 } });
      // The migrator is a one-off node without distribution: it gets neither.
      const migrate = pod.initContainers.find((c: any) => c.name === 'migrate');
      expect(migrate.env.map((e: any) => e.name)).not.toContain('RELEASE_VM_ARGS');
      expect(migrate.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    });

    test('RELEASE_VM_ARGS and RELEASE_REMOTE_VM_ARGS cannot be overridden through env', () => {
      for (const name of ['RELEASE_VM_ARGS', 'RELEASE_REMOTE_VM_ARGS']) {
        expect(() => build({ env: { [name]: '/x' } })).toThrow(new RegExp(`env.${name}.*set by ElixirDeployment`));
      }
    });

    test('no env variable the construct sets (in any mode) can be set again through env', () => {
      const setByConstruct = new Set<string>();
      for (const props of [{}, { clusterStrategy: ClusterStrategy.DNS_CLUSTER }, { migrations: { ...base.migrations!, mode: MigrationMode.JOB } }] as Array<Partial<ElixirDeploymentProps>>) {
        const { manifests } = build(props);
        for (const m of manifests.filter(o => o.kind === 'Deployment' || o.kind === 'Job')) {
          const spec = m.spec?.template?.spec;
          for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
            if (c.name === 'wait-for-database') continue; // pg_isready's own variables, not the release's
            for (const e of c.env ?? []) setByConstruct.add(e.name);
          }
        }
      }
      expect([...setByConstruct].sort()).toEqual(['DATABASE_URL', 'DNS_CLUSTER_QUERY', 'ERL_CRASH_DUMP', 'ERL_CRASH_DUMP_BYTES', 'PHX_HOST', 'PHX_SERVER', 'POD_IP',
        'POOL_SIZE', 'PORT', 'RELEASE_COOKIE', 'RELEASE_DISTRIBUTION', 'RELEASE_NODE', 'RELEASE_TMP', 'RELEASE_VM_ARGS', 'SECRET_KEY_BASE']);
      // and the remote-command twin of RELEASE_VM_ARGS, which the release reads too
      for (const name of [...setByConstruct, 'RELEASE_REMOTE_VM_ARGS']) {
        let error: unknown;
        try { build({ env: { [name]: 'x' } }); } catch (e) { error = e; }
        expect(error).toBeInstanceOf(PropError);
        expect((error as PropError).prop).toBe(`env.${name}`);
        expect((error as Error).message).toContain(`${name} is set by ElixirDeployment`);
      }
    });

    test('user env: plain variables appended last to the server, in order, and only there', () => {
      const { container, pod, envNames, env } = build({ env: { FEATURE_X: 'on', LOG_LEVEL: 'debug' } });
      expect(envNames.slice(-2)).toEqual(['FEATURE_X', 'LOG_LEVEL']);
      expect(env.FEATURE_X).toEqual({ name: 'FEATURE_X', value: 'on' });
      expect(env.LOG_LEVEL).toEqual({ name: 'LOG_LEVEL', value: 'debug' });
      expect(container.env.filter((e: any) => e.name === 'FEATURE_X')).toHaveLength(1);
      expect(build().envNames).not.toContain('FEATURE_X');
      expect(() => build({ env: { 'BAD-NAME': 'x' } })).toThrow(/invalid prop "env.BAD-NAME" = "x": expected an environment variable name/);
      expect(() => build({ env: { '1ST': 'x' } })).toThrow(/env.1ST/);
      expect(() => build({ env: { OK: 1 as unknown as string } })).toThrow(/invalid prop "env.OK" = 1: expected a string value/);
      expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-database', 'migrate']);
    });

    test('DNS_CLUSTER_QUERY only with the dns_cluster strategy', () => {
      expect(build().env.DNS_CLUSTER_QUERY).toBeUndefined();
      const { env, envNames } = build({ clusterStrategy: ClusterStrategy.DNS_CLUSTER });
      expect(env.DNS_CLUSTER_QUERY.value).toBe('elixir-headless.doit.svc.cluster.local');
      expect(envNames.indexOf('DNS_CLUSTER_QUERY')).toBe(4);
    });
  });

  describe('Phoenix env', () => {
    test('PHX_SERVER, PORT, PHX_HOST, POOL_SIZE, SECRET_KEY_BASE and DATABASE_URL from the Postgres handle', () => {
      const { env, pg } = build({ phxHost: 'doit.example.com', poolSize: 20 });
      expect(env.PHX_SERVER.value).toBe('true');
      expect(env.PORT.value).toBe('4000');
      expect(env.PHX_HOST.value).toBe('doit.example.com');
      expect(env.POOL_SIZE.value).toBe('20');
      expect(env.SECRET_KEY_BASE.valueFrom).toEqual({ secretKeyRef: { name: 'elixir-secrets', key: 'SECRET_KEY_BASE' } });
      expect(env.DATABASE_URL.valueFrom).toEqual({ secretKeyRef: { name: pg.secretName, key: 'DATABASE_URL' } });
    });

    test('DATABASE_URL from a user Secret is declared external', () => {
      const { env, chart } = build({ database: { secretName: 'db-url', key: 'url' } });
      expect(env.DATABASE_URL.valueFrom).toEqual({ secretKeyRef: { name: 'db-url', key: 'url' } });
      expect(declared(chart, 'Deployment', 'elixir')).toEqual({ secrets: 'db-url', podsReason: undefined, annotations: undefined });
    });

    test('no pod of the app (server, migrator, migration Job) references a Secret holding the superuser password', () => {
      for (const mode of [MigrationMode.INIT_CONTAINER, MigrationMode.JOB]) {
        const { manifests, pg } = build({ migrations: { ...base.migrations!, mode } });
        const pods = manifests.filter(m => m.kind === 'Deployment' || m.kind === 'Job').map(m => m.spec.template.spec);
        expect(pods).toHaveLength(mode === MigrationMode.JOB ? 2 : 1);
        const referenced = new Set<string>();
        for (const pod of pods) {
          for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
            for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) referenced.add(e.valueFrom.secretKeyRef.name);
            for (const e of c.envFrom ?? []) if (e.secretRef) referenced.add(e.secretRef.name);
          }
          for (const v of pod.volumes ?? []) {
            if (v.secret) referenced.add(v.secret.secretName);
            for (const s of v.projected?.sources ?? []) if (s.secret) referenced.add(s.secret.name);
          }
        }
        expect([...referenced].sort()).toEqual(['elixir-secrets', 'postgres-credentials']);
        expect(referenced.has(pg.superuserSecretName)).toBe(false);
        for (const name of referenced) {
          expect(Object.values(secretValues(find(manifests, 'Secret', name))).join('\n')).not.toContain('superuser-'.repeat(3));
        }
      }
    });

    test('no secret value appears as a literal env value', () => {
      const { container } = build();
      const literals = JSON.stringify(container.env.filter((e: any) => 'value' in e));
      expect(literals).not.toContain(SKB);
      expect(literals).not.toContain(COOKIE);
    });

    test('RELEASE_TMP and ERL_CRASH_DUMP point at the /tmp emptyDir', () => {
      const { env, container, pod } = build();
      expect(env.RELEASE_TMP.value).toBe('/tmp');
      expect(env.ERL_CRASH_DUMP.value).toBe('/tmp/erl_crash.dump');
      expect(Number(env.ERL_CRASH_DUMP_BYTES.value)).toBeLessThan(512 * 1024 * 1024); // fits the emptyDir
      expect(container.volumeMounts[0]).toEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes[0]).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } });
    });
  });

  describe('migrations', () => {
    test('the migrator first waits for the database, with pg_isready of the server image, bounded, host and port only', () => {
      const { pod, pg } = build();
      expect(pod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-database', 'migrate']);
      const [wait] = pod.initContainers;
      expect(wait.image).toBe(pg.image);
      expect(wait.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
      expect(wait.command[2]).toBe(readFileSync(join(__dirname, '../../lib/elixir/scripts/wait-for-database.sh'), 'utf8'));
      expect(wait.env).toEqual([
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'DATABASE_URL' } } },
        { name: 'WAIT_SECONDS', value: '300' },
      ]);
      expect(wait.securityContext.readOnlyRootFilesystem).toBe(true);
      // A database from a Secret: the default postgres image provides pg_isready.
      const external = build({ database: { secretName: 'db-url' } }).pod.initContainers[0];
      expect(external.image).toBe('postgres:17.6');
      // Without a database there is nothing to wait for.
      expect(build({ database: undefined }).pod.initContainers.map((c: any) => c.name)).toEqual(['migrate']);
      // Job mode waits too.
      const job = build({ migrations: { ...base.migrations!, mode: MigrationMode.JOB } }).app.migrationJob!;
      expect(job.toJson().spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['wait-for-database']);
    });

    test('default: an init container with the migrator, POOL_SIZE 2, no distribution', () => {
      const { pod, manifests } = build();
      const init = pod.initContainers.find((c: any) => c.name === 'migrate');
      expect(init.command).toEqual(['/app/bin/doit', 'eval', 'Doit.Release.migrate']);
      const env = Object.fromEntries(init.env.map((e: any) => [e.name, e]));
      expect(env.POOL_SIZE.value).toBe('2');
      expect(env.RELEASE_DISTRIBUTION.value).toBe('none');
      expect(env.DATABASE_URL.valueFrom.secretKeyRef.key).toBe('DATABASE_URL');
      expect(init.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(manifests.some(m => m.kind === 'Job')).toBe(false);
    });

    test('Job mode: a Job whose name changes with the image and not otherwise', () => {
      const job = (props: Partial<ElixirDeploymentProps>) => build({ migrations: { ...base.migrations!, mode: MigrationMode.JOB }, ...props }).app.migrationJob!.name;
      const a = job({});
      expect(a).toMatch(/^elixir-migrate-[0-9a-f]{10}$/);
      expect(job({})).toBe(a);
      expect(job({ replicas: 5, phxHost: 'other.example.com', poolSize: 30 })).toBe(a);
      expect(job({ image: 'localhost:32000/doit:1.2.4' })).not.toBe(a);
      const { manifests, pod, app } = build({ migrations: { ...base.migrations!, mode: MigrationMode.JOB } });
      expect(pod.initContainers).toBeUndefined();
      const j = find(manifests, 'Job', a);
      expect(j.spec.backoffLimit).toBe(3);
      expect(j.spec.template.spec.restartPolicy).toBe('Never');
      expect(j.spec.activeDeadlineSeconds).toBe(900);
      const jobPod = j.spec.template.spec;
      expect(jobPod.containers.map((c: any) => c.name)).toEqual(['migrate']);
      expect(jobPod.initContainers.map((c: any) => c.name)).toEqual(['wait-for-database']);
      expect(jobPod.containers[0].command).toEqual(['/app/bin/doit', 'eval', 'Doit.Release.migrate']);
      expect(jobPod.enableServiceLinks).toBe(false);
      expect(jobPod.automountServiceAccountToken).toBe(false);
      expect(jobPod.volumes.map((v: any) => v.name)).toEqual(['tmp']);
      expect(j.spec.template.metadata.labels).toEqual(expect.objectContaining({
        'app.kubernetes.io/name': 'doit', 'app.kubernetes.io/instance': 'elixir-migrate', 'app.kubernetes.io/component': 'migration' }));
      expect(j.metadata.labels).toEqual(j.spec.template.metadata.labels);
      expect(selects(app.migrationPodSelector!, j.spec.template.metadata.labels)).toBe(true);
      // job pods are not selected by the app Services
      expect(selects(find(manifests, 'Service', 'elixir').spec.selector, j.spec.template.metadata.labels)).toBe(false);
    });

    test('none: no init container and no Job', () => {
      const { pod, manifests } = build({ migrations: undefined });
      expect(pod.initContainers).toBeUndefined();
      expect(manifests.some(m => m.kind === 'Job')).toBe(false);
    });
  });

  describe('rollouts and availability', () => {
    test('RollingUpdate maxUnavailable 0, probes on the http port with the path prop, preStop and grace', () => {
      const { dep, container, pod } = build({ healthCheckPath: '/healthz' });
      expect(dep.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
      for (const p of ['startupProbe', 'readinessProbe']) expect(container[p].httpGet).toEqual({ path: '/healthz', port: 'http' });
      // liveness must not depend on the database: a TCP check unless a liveness path is given
      expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
      expect(build({ livenessPath: '/alive' }).container.livenessProbe.httpGet).toEqual({ path: '/alive', port: 'http' });
      expect(dep.spec.progressDeadlineSeconds).toBe(900);
      expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(5 + 30);
    });

    test('soft topology spread across nodes', () => {
      const { pod, dep } = build();
      expect(pod.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: dep.spec.selector.matchLabels }, matchLabelKeys: ['pod-template-hash'] }]);
    });
  });

  describe('security', () => {
    test('uid/gid 65534, non-root, seccomp, no token, read-only root, drop ALL', () => {
      const { pod, container } = build();
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
      expect(container.resources.limits.memory).toBe('512Mi');
    });
  });

  test('owned Secret can live in another chart of the same namespace (own output file)', () => {
    const app = Testing.app();
    const secrets = new Chart(app, 'secrets', { namespace: 'doit' });
    const chart = new Chart(app, 'doit', { namespace: 'doit' });
    new ElixirDeployment(chart, 'Elixir', { ...base, secretScope: secrets });
    expect(synth(secrets).map(m => `${m.kind}/${m.metadata.name}`)).toEqual(['Secret/elixir-secrets']);
    expect(synth(chart).some(m => m.kind === 'Secret')).toBe(false);
    expect(() => new ElixirDeployment(new Chart(app, 'other', { namespace: 'x' }), 'E', { ...base, secretScope: secrets })).toThrow(/secretScope.*namespace "x"/);
    const global = new Chart(app, 'global');
    new ElixirDeployment(new Chart(app, 'third', { namespace: 'y' }), 'E', { ...base, secretScope: global });
    expect(synth(global)[0].metadata.namespace).toBe('y');
  });

  test('composes with PostgresStatefulSet for another app ("shop") in a fresh chart', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const db = new PostgresStatefulSet(chart, 'Db', { name: 'shop-db', databaseName: 'shop', username: 'shop', credentials: PostgresCredentials.fromExistingSecret('shop-db') });
    const web = new ElixirDeployment(chart, 'Web', {
      name: 'shop', image: 'ghcr.io/acme/shop:2024.1', nodeBasename: 'shop', clusterStrategy: ClusterStrategy.DNS_CLUSTER,
      secrets: ElixirSecrets.fromExistingSecret('shop-secrets'), database: db, replicas: 2, httpPort: 8080,
      migrations: { command: ['/app/bin/migrate'], mode: MigrationMode.JOB },
    });
    expectValid(chart);
    const m = synth(chart);
    const env = find(m, 'Deployment', 'shop').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef).toEqual({ name: 'shop-db', key: 'DATABASE_URL' });
    expect(env.find((e: any) => e.name === 'DNS_CLUSTER_QUERY').value).toBe('shop-headless.shop.svc.cluster.local');
    expect(web.servicePort).toBe(80);
  });

  describe('bad props fail at synth with path, prop and accepted values', () => {
    const cases: Array<[string, Partial<ElixirDeploymentProps>, RegExp]> = [
      ['replicas < 1', { replicas: 0 }, /"replicas" = 0: expected an integer from 1/],
      ['basename with @', { nodeBasename: 'doit@host' }, /"nodeBasename".*Erlang node name part/],
      ['basename starting with a digit', { nodeBasename: '1doit' }, /nodeBasename/],
      ['unpinned image', { image: 'localhost:32000/doit' }, /"image".*pinned/],
      ['latest image', { image: 'doit:latest' }, /"image".*pinned/],
      ['HTTP = epmd port', { httpPort: 4369 }, /must differ/],
      ['epmd = dist port', { distributionPort: 4369 }, /must differ/],
      ['port out of range', { httpPort: 0 }, /"httpPort" = 0/],
      ['cookie as a literal env', { env: { RELEASE_COOKIE: 'abc' } }, /env\.RELEASE_COOKIE.*secrets prop.*never a literal/],
      ['secret-looking env', { env: { STRIPE_API_KEY: 'sk' } }, /env\.STRIPE_API_KEY.*looks like a secret/],
      ['weak cookie', { secrets: ElixirSecrets.fromValues({ secretKeyBase: SKB, releaseCookie: 'short' }) }, /secrets\.releaseCookie.*at least 32/],
      ['cookie = secret key base', { secrets: ElixirSecrets.fromValues({ secretKeyBase: SKB, releaseCookie: SKB }) }, /secrets\.releaseCookie.*different from secretKeyBase/],
      ['short SECRET_KEY_BASE', { secrets: ElixirSecrets.fromValues({ secretKeyBase: 'x'.repeat(63), releaseCookie: COOKIE }) }, /secrets\.secretKeyBase.*at least 64/],
      ['grace too short', { terminationGracePeriodSeconds: 30 }, /terminationGracePeriodSeconds.*at least 36/],
      ['bad PHX_HOST', { phxHost: 'Doit Host' }, /"phxHost"/],
      ['empty migration command', { migrations: { command: [] } }, /migrations\.command/],
      ['bad health path', { healthCheckPath: 'health' }, /healthCheckPath/],
    ];
    test.each(cases)('%s', (_t, props, message) => {
      const chart = testChart('doit');
      let error: unknown;
      try { new ElixirDeployment(chart, 'Elixir', { ...base, ...props }); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(PropError);
      expect((error as Error).message).toMatch(/^test\/Elixir: invalid prop/);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(SKB);
    });
  });
});

test('setPublicHost replaces PHX_HOST after construction (from an ingress) and validates it', () => {
  const { chart, app } = build();
  app.setPublicHost('doit.example.org');
  expect(app.publicHost).toBe('doit.example.org');
  const env = find(synth(chart), 'Deployment', 'elixir').spec.template.spec.containers[0].env;
  expect(env.filter((e: any) => e.name === 'PHX_HOST')).toEqual([{ name: 'PHX_HOST', value: 'doit.example.org' }]);
  expect(() => app.setPublicHost('not a host')).toThrow(/"publicHost"/);
});
