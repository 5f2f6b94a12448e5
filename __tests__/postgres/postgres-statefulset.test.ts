import { expectValid, PostgresCredentials, PostgresStatefulSet, PostgresStatefulSetProps, PropError } from '../../lib';
import { Quantity } from '../../imports/k8s';
import { readFileSync } from 'fs';
import { join } from 'path';
import { find, kinds, secretValues, selects, synth, testChart, declared } from '../util';

const PASSWORD = 'correct-horse-battery-staple-42';
const owned = { credentials: PostgresCredentials.fromValues({ password: PASSWORD, superuserPassword: 'superuser-'.repeat(3) }) };

function build(props: Partial<PostgresStatefulSetProps> = {}, namespace = 'db') {
  const chart = testChart(namespace);
  const pg = new PostgresStatefulSet(chart, 'Postgres', { ...owned, ...props });
  const manifests = synth(chart);
  const sts = find(manifests, 'StatefulSet', pg.name);
  const pod = sts.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
  return { chart, pg, manifests, sts, pod, container, env };
}

describe('PostgresStatefulSet', () => {
  test('default chart snapshot', () => {
    expect(build().manifests).toMatchSnapshot();
  });

  test('passes synth-time validation with an owned and with an existing Secret', () => {
    expect(expectValid(build().chart).waivers).toEqual([]);
    expect(expectValid(build({ credentials: PostgresCredentials.fromExistingSecret('db-creds') }).chart).ok).toBe(true);
    expect(expectValid(build({ version: '18.1', initScripts: { '010-a.sql': 'select 1;' }, config: { max_connections: 50 } }).chart).ok).toBe(true);
  });

  test('creates a StatefulSet, headless + client Service and the Secret, with readable names', () => {
    const { manifests } = build();
    expect(kinds(manifests)).toEqual([
      'ConfigMap/postgres-config', 'ConfigMap/postgres-initdb', 'ConfigMap/postgres-scripts', 'Secret/postgres-credentials', 'Secret/postgres-superuser', 'Service/postgres', 'Service/postgres-headless', 'StatefulSet/postgres',
    ]);
  });

  describe('storage', () => {
    test('PVC template: default size, microk8s-hostpath, ReadWriteOnce', () => {
      const { sts } = build();
      const [claim] = sts.spec.volumeClaimTemplates;
      expect(claim.metadata.name).toBe('data');
      expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
      expect(claim.spec.storageClassName).toBe('microk8s-hostpath');
      expect(claim.spec.resources.requests.storage).toBe('5Gi');
    });

    test('PVC template is written as the API server stores it (atomic list: no re-sent patch, no apply conflict)', () => {
      const { sts } = build();
      const [claim] = sts.spec.volumeClaimTemplates;
      expect(claim).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } });
      expect(claim.spec.volumeMode).toBe('Filesystem');
    });

    test('size and class are props', () => {
      const { sts } = build({ storageSize: '20Gi', storageClassName: 'ceph-rbd' });
      const [claim] = sts.spec.volumeClaimTemplates;
      expect(claim.spec.resources.requests.storage).toBe('20Gi');
      expect(claim.spec.storageClassName).toBe('ceph-rbd');
    });

    test('PVCs are retained when the StatefulSet is deleted or scaled down', () => {
      const { sts } = build();
      expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    });

    test('PGDATA is a subdirectory of the mount (lost+found) for 15-17', () => {
      for (const version of ['15.14', '16.10', '17.6']) {
        const { container, env } = build({ version });
        const mount = container.volumeMounts.find((m: any) => m.name === 'data');
        expect(mount.mountPath).toBe('/var/lib/postgresql/data');
        expect(env.PGDATA.value).toBe('/var/lib/postgresql/data/pgdata');
      }
    });

    test('18 uses the new layout: volume at /var/lib/postgresql, PGDATA /var/lib/postgresql/18/docker', () => {
      const { container, env, pg } = build({ version: '18.1' });
      expect(pg.majorVersion).toBe(18);
      expect(container.volumeMounts.find((m: any) => m.name === 'data').mountPath).toBe('/var/lib/postgresql');
      expect(env.PGDATA.value).toBe('/var/lib/postgresql/18/docker');
    });
  });

  describe('major version guard', () => {
    test('an init container with the server image checks the volume before the server starts', () => {
      for (const [version, mountPath, pgdata] of [['17.6', '/var/lib/postgresql/data', '/var/lib/postgresql/data/pgdata'], ['18.1', '/var/lib/postgresql', '/var/lib/postgresql/18/docker']]) {
        const { pod, manifests, container } = build({ version });
        expect(pod.initContainers.map((c: any) => c.name)).toEqual(['check-data-dir']);
        const [check] = pod.initContainers;
        expect(check.image).toBe(container.image);
        expect(check.command).toEqual(['/bin/sh', '/scripts/check-data-dir.sh']);
        expect(check.env).toEqual([
          { name: 'VOLUME', value: mountPath }, { name: 'PGDATA', value: pgdata }, { name: 'EXPECTED_MAJOR', value: version.split('.')[0] },
        ]);
        expect(check.volumeMounts).toContainEqual({ name: 'data', mountPath });
        expect(check.securityContext).toEqual(container.securityContext);
        const scripts = find(manifests, 'ConfigMap', 'postgres-scripts');
        expect(scripts.data['check-data-dir.sh']).toBe(readFileSync(join(__dirname, '../../lib/postgres/scripts/check-data-dir.sh'), 'utf8'));
        expect(pod.volumes).toContainEqual({ name: 'scripts', configMap: { name: 'postgres-scripts', defaultMode: 0o444 } });
        // Not among the first-init scripts, which the entrypoint would run.
        expect(Object.keys(find(manifests, 'ConfigMap', 'postgres-initdb').data)).not.toContain('check-data-dir.sh');
      }
    });
  });

  describe('services', () => {
    test('serviceName is the headless Service, which publishes not-ready addresses', () => {
      const { sts, manifests, pg } = build();
      expect(sts.spec.serviceName).toBe('postgres-headless');
      const headless = find(manifests, 'Service', pg.headlessServiceName);
      expect(headless.spec.clusterIP).toBe('None');
      expect(headless.spec.publishNotReadyAddresses).toBe(true);
    });

    test('client Service is ClusterIP on 5432 and both Services select the pod and reach a declared port', () => {
      const { manifests, sts, container } = build();
      const podLabels = sts.spec.template.metadata.labels;
      expect(selects(sts.spec.selector.matchLabels, podLabels)).toBe(true);
      for (const name of ['postgres', 'postgres-headless']) {
        const svc = find(manifests, 'Service', name);
        expect(selects(svc.spec.selector, podLabels)).toBe(true);
        expect(svc.spec.ports[0].port).toBe(5432);
        const target = svc.spec.ports[0].targetPort;
        expect(container.ports.map((p: any) => p.name)).toContain(target);
      }
      expect(find(manifests, 'Service', 'postgres').spec.type).toBe('ClusterIP');
    });

    test('custom port moves server, probes and Services together', () => {
      const { manifests, container, env } = build({ port: 6543 });
      expect(container.ports[0].containerPort).toBe(6543);
      expect(env.PGPORT.value).toBe('6543');
      expect(container.readinessProbe.exec.command).toContain('--port=6543');
      expect(find(manifests, 'Service', 'postgres').spec.ports[0].port).toBe(6543);
    });
  });

  describe('image', () => {
    test('official image pinned to major.minor, default 17', () => {
      const { container, pg } = build();
      expect(container.image).toMatch(/^postgres:17\.\d+$/);
      expect(pg.majorVersion).toBe(17);
    });

    test('alpine variants run as uid 70', () => {
      const { pod } = build({ version: '16.10-alpine' });
      expect(pod.securityContext.runAsUser).toBe(70);
      expect(pod.securityContext.fsGroup).toBe(70);
    });
  });

  describe('credentials', () => {
    test('owned Secret holds user, password, database and an encoded Ecto DATABASE_URL', () => {
      const { manifests } = build({
        username: 'doit', databaseName: 'doit_prod',
        credentials: PostgresCredentials.fromValues({ password: 'p@ss:w/rd+with?odd#chars', superuserPassword: 'superuser-'.repeat(3) }),
      });
      const secret = find(manifests, 'Secret', 'postgres-credentials');
      expect(secret.type).toBe('Opaque');
      expect(secretValues(secret)).toMatchObject({ username: 'doit', password: 'p@ss:w/rd+with?odd#chars', database: 'doit_prod', port: '5432' });
      const url = new URL(secretValues(secret).DATABASE_URL);
      expect(url.protocol).toBe('ecto:');
      expect(decodeURIComponent(url.password)).toBe('p@ss:w/rd+with?odd#chars');
      expect(url.username).toBe('doit');
      expect(url.hostname).toBe('postgres.db.svc.cluster.local');
      expect(url.port).toBe('5432');
      expect(url.pathname).toBe('/doit_prod');
    });

    test('the superuser password is in a Secret of its own; the application\'s Secret has no key holding it', () => {
      const { manifests, pg } = build();
      const app = secretValues(find(manifests, 'Secret', 'postgres-credentials'));
      expect(Object.keys(app).sort()).toEqual(['DATABASE_URL', 'database', 'host', 'password', 'port', 'username']);
      expect(Object.values(app).join('\n')).not.toContain('superuser-'.repeat(3));
      expect(secretValues(find(manifests, 'Secret', 'postgres-superuser'))).toEqual({ password: 'superuser-'.repeat(3) });
      expect(pg.superuserSecretName).toBe('postgres-superuser');
      expect(pg.superuserPasswordKey).toBe('password');
      expect(pg.superuserSecret).toBeDefined();
      // Every handle an application uses points at the application's Secret.
      expect([pg.databaseUrlEnv(), pg.passwordEnv(), ...pg.libpqEnv()].map(e => e.valueFrom?.secretKeyRef?.name).filter(Boolean))
        .toEqual(Array(3).fill('postgres-credentials'));
    });

    test('passwords reach the server as files from their Secrets, never as literal env values', () => {
      const { container, pod, env } = build();
      expect(env.POSTGRES_PASSWORD).toBeUndefined();
      expect(env.POSTGRES_PASSWORD_FILE.value).toBe('/etc/postgresql-superuser/password');
      expect(env.APP_PASSWORD_FILE.value).toBe('/etc/postgresql-credentials/password');
      expect(pod.volumes.find((v: any) => v.name === 'credentials').secret).toEqual({
        secretName: 'postgres-credentials', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440,
      });
      expect(pod.volumes.find((v: any) => v.name === 'superuser').secret).toEqual({
        secretName: 'postgres-superuser', items: [{ key: 'password', path: 'password' }], defaultMode: 0o440,
      });
      expect(container.volumeMounts).toContainEqual({ name: 'credentials', mountPath: '/etc/postgresql-credentials', readOnly: true });
      expect(container.volumeMounts).toContainEqual({ name: 'superuser', mountPath: '/etc/postgresql-superuser', readOnly: true });
      const literals = container.env.filter((e: any) => 'value' in e).map((e: any) => e.value).join(' ');
      expect(literals).not.toContain(PASSWORD);
    });

    test('the application role is not the superuser: postgres is, the app role is created by the first init script', () => {
      const { env, manifests } = build({ username: 'doit', databaseName: 'doit_prod' });
      expect(env.POSTGRES_USER.value).toBe('postgres');
      expect(env.POSTGRES_DB).toBeUndefined();
      expect(env.APP_USER.value).toBe('doit');
      expect(env.APP_DATABASE.value).toBe('doit_prod');
      const initdb = find(manifests, 'ConfigMap', 'postgres-initdb').data;
      expect(Object.keys(initdb)[0]).toBe('000-create-app-role.sh');
      expect(initdb['000-create-app-role.sh']).toMatch(/CREATE ROLE :"app_user" LOGIN NOSUPERUSER/);
      expect(() => build({ username: 'postgres' })).toThrow(/"username".*must not be the superuser/);
      expect(() => build({ credentials: PostgresCredentials.fromValues({ password: PASSWORD, superuserPassword: PASSWORD }) })).toThrow(/superuserPassword.*must differ/);
    });

    test('scram-sha-256 everywhere, never trust', () => {
      const { container, env } = build();
      expect(env.POSTGRES_HOST_AUTH_METHOD.value).toBe('scram-sha-256');
      expect(env.POSTGRES_INITDB_ARGS.value).toContain('--auth-local=scram-sha-256');
      expect(env.POSTGRES_INITDB_ARGS.value).toContain('--auth-host=scram-sha-256');
      expect(container.args).toEqual(expect.arrayContaining(['-c', 'password_encryption=scram-sha-256']));
      expect(JSON.stringify(container)).not.toMatch(/trust/);
    });

    test('existing Secrets: nothing owned, references use their names and keys; the superuser\'s is "<StatefulSet name>-superuser" by default, as when owned', () => {
      const { manifests, pg, pod, sts } = build({ credentials: PostgresCredentials.fromExistingSecret('db-creds', { password: 'pw', databaseUrl: 'url' }) });
      expect(manifests.filter(m => m.kind === 'Secret')).toHaveLength(0);
      expect(pg.secret).toBeUndefined();
      expect(pg.superuserSecret).toBeUndefined();
      expect(pg.secretName).toBe('db-creds');
      expect(pg.superuserSecretName).toBe('postgres-superuser');
      expect(build().pg.superuserSecretName).toBe('postgres-superuser'); // owned: the same name
      expect(pod.volumes.find((v: any) => v.name === 'credentials').secret.items).toEqual([{ key: 'pw', path: 'password' }]);
      expect(pod.volumes.find((v: any) => v.name === 'superuser').secret).toMatchObject({ secretName: 'postgres-superuser', items: [{ key: 'password', path: 'password' }] });
      expect(declared(pg, 'StatefulSet', 'postgres').secrets).toBe('db-creds,postgres-superuser');
      expect(sts.metadata.annotations).toBeUndefined();
      expect(pg.databaseUrlEnv()).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'url' } } });

      const named = build({ credentials: PostgresCredentials.fromExistingSecret('db-creds', { superuserSecretName: 'db-admin', superuserPassword: 'pg' }) });
      expect(named.pg.superuserSecretName).toBe('db-admin');
      expect(named.pod.volumes.find((v: any) => v.name === 'superuser').secret).toMatchObject({ secretName: 'db-admin', items: [{ key: 'pg', path: 'password' }] });
      expect(expectValid(named.chart).ok).toBe(true);
    });

    test('existing Secrets: the superuser\'s may not be the application\'s Secret', () => {
      expect(() => build({ credentials: PostgresCredentials.fromExistingSecret('db-creds', { superuserSecretName: 'db-creds' }) }))
        .toThrow(/invalid prop "credentials.superuserSecretName".*a Secret other than the application's "db-creds"/);
      expect(() => build({ credentials: PostgresCredentials.fromExistingSecret('db-creds', { superuserSecretName: 'Not_A_Name' }) }))
        .toThrow(/"credentials.superuserSecretName".*DNS-1123 subdomain/);
    });
  });

  describe('probes', () => {
    test('startup, readiness and liveness run pg_isready against 127.0.0.1', () => {
      const { container } = build();
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const cmd = container[probe].exec.command;
        expect(cmd[0]).toBe('pg_isready');
        expect(cmd).toContain('--host=127.0.0.1');
        expect(cmd).toContain('--port=5432');
      }
      // first init may take minutes: the startup probe allows 10 minutes
      expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(600);
    });
  });

  describe('security', () => {
    test('pod: uid/gid/fsGroup 999, non-root, seccomp, no token, no service links', () => {
      const { pod } = build();
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.enableServiceLinks).toBe(false);
    });

    test('container: no escalation, drop ALL, read-only root with writable emptyDirs', () => {
      const { container, pod } = build();
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
      });
      const mountOf = (path: string) => container.volumeMounts.find((m: any) => m.mountPath === path)?.name;
      const volume = (name: string) => pod.volumes.find((v: any) => v.name === name);
      expect(volume(mountOf('/var/run/postgresql')).emptyDir).toEqual({ sizeLimit: '16Mi' });
      expect(volume(mountOf('/tmp')).emptyDir).toEqual({ sizeLimit: '256Mi' });
      expect(volume(mountOf('/dev/shm')).emptyDir).toEqual({ medium: 'Memory', sizeLimit: '256Mi' });
    });

    test('the image pinned by digest on request, for the server and everything that runs its image', () => {
      const digest = `sha256:${'f'.repeat(64)}`;
      const { container, pod } = build({ imageDigest: digest });
      for (const c of [...(pod.initContainers ?? []), container]) expect(c.image).toBe(`postgres:17.6@${digest}`);
      expect(() => build({ imageDigest: 'sha256:F00' })).toThrow(/imageDigest.*expected sha256:<64 lower-case hex digits>/);
    });

    test('requests, a memory limit and ephemeral storage by default; overridable, ephemeral storage added unless given', () => {
      expect(build().container.resources).toEqual({
        requests: { cpu: '250m', memory: '512Mi', 'ephemeral-storage': '64Mi' }, limits: { memory: '1Gi', 'ephemeral-storage': '1Gi' },
      });
      const { container } = build({ resources: { requests: { cpu: Quantity.fromString('1') }, limits: { memory: Quantity.fromString('4Gi') } } });
      expect(container.resources).toEqual({ requests: { cpu: '1', 'ephemeral-storage': '64Mi' }, limits: { memory: '4Gi', 'ephemeral-storage': '1Gi' } });
      const own = build({ resources: { requests: { 'ephemeral-storage': Quantity.fromString('1Gi') }, limits: { 'ephemeral-storage': Quantity.fromString('8Gi') } } }).container;
      expect(own.resources).toEqual({ requests: { 'ephemeral-storage': '1Gi' }, limits: { 'ephemeral-storage': '8Gi' } });
      // Only one given: the default for the other never contradicts it (request <= limit).
      const bigRequest = build({ resources: { requests: { 'ephemeral-storage': Quantity.fromString('2Gi') } } }).container.resources;
      expect(bigRequest).toEqual({ requests: { 'ephemeral-storage': '2Gi' }, limits: { 'ephemeral-storage': '2Gi' } });
      const smallLimit = build({ resources: { limits: { 'ephemeral-storage': Quantity.fromString('32Mi') } } }).container.resources;
      expect(smallLimit).toEqual({ requests: { 'ephemeral-storage': '32Mi' }, limits: { 'ephemeral-storage': '32Mi' } });
    });
  });

  describe('graceful shutdown', () => {
    test('grace period well above 30 s; no preStop hook (the image stops with SIGINT, a fast shutdown already)', () => {
      const { pod, container } = build();
      expect(pod.terminationGracePeriodSeconds).toBe(120);
      expect(container.lifecycle).toBeUndefined();
    });
  });

  describe('init scripts and settings', () => {
    test('init scripts go to a ConfigMap mounted at /docker-entrypoint-initdb.d', () => {
      const { manifests, container, pod } = build({ initScripts: { '010-ext.sql': 'CREATE EXTENSION citext;' } });
      const cm = find(manifests, 'ConfigMap', 'postgres-initdb');
      expect(Object.keys(cm.data)).toEqual(['000-create-app-role.sh', '010-ext.sql']);
      expect(cm.data['010-ext.sql']).toBe('CREATE EXTENSION citext;');
      const mount = container.volumeMounts.find((m: any) => m.mountPath === '/docker-entrypoint-initdb.d');
      expect(pod.volumes.find((v: any) => v.name === mount.name).configMap.name).toBe('postgres-initdb');
    });

    test('user init scripts must run after the app role exists', () => {
      for (const name of ['000-a.sql', '0000.sql', '000_x.sql', 'a.sql', '10-a.sql']) {
        expect(() => build({ initScripts: { [name]: 'select 1;' } })).toThrow(/three-digit prefix from 001/);
      }
      expect(() => build({ initScripts: { '001-a.sql': 'select 1;', '999-z.sh': 'true' } })).not.toThrow();
    });

    test('settings the construct manages cannot be overridden (e.g. password_encryption=md5 would downgrade SCRAM)', () => {
      const managed = ['port', 'data_directory', 'hba_file', 'ident_file', 'config_file', 'listen_addresses', 'unix_socket_directories',
        'password_encryption', 'external_pid_file'];
      // everything the construct passes with -c is among them
      const { container } = build();
      const own = container.args.filter((_: string, i: number) => container.args[i - 1] === '-c').map((a: string) => a.split('=')[0]);
      expect(own.length).toBeGreaterThan(0);
      for (const key of own) expect(managed).toContain(key);
      for (const key of managed) {
        let error: unknown;
        try { build({ config: { [key]: key === 'password_encryption' ? 'md5' : 'x' } }); } catch (e) { error = e; }
        expect(error).toBeInstanceOf(PropError);
        expect((error as PropError).prop).toBe(`config.${key}`);
        expect((error as Error).message).toMatch(/managed by PostgresStatefulSet/);
      }
    });

    test('setting names and values: lower-case names (one dot for extensions), single-line values', () => {
      expect(build({ config: { 'pg_stat_statements.track': 'all', work_mem: '8MB', jit: false } }).container.args.slice(-6))
        .toEqual(['-c', 'pg_stat_statements.track=all', '-c', 'work_mem=8MB', '-c', 'jit=off']);
      for (const key of ['Max_connections', '1abc', 'a.b.c', 'a-b', '']) {
        expect(() => build({ config: { [key]: '1' } })).toThrow(new RegExp(`config\\.${key.replace(/\./g, '\\.')}.*postgresql.conf parameter name`));
      }
      for (const value of ['', 'a\nb', 'a\rb', 'a\u0000b']) {
        expect(() => build({ config: { work_mem: value } })).toThrow(/config.work_mem.*single-line/);
      }
      expect(() => build({ config: { work_mem: {} as unknown as string } })).toThrow(/config.work_mem.*single-line/);
    });

    test('postgresql.conf settings become -c arguments', () => {
      const { container } = build({ config: { max_connections: 200, shared_buffers: '256MB', log_connections: true } });
      expect(container.args).toEqual(['postgres', '-c', 'password_encryption=scram-sha-256', '-c', 'hba_file=/etc/postgresql/config/pg_hba.conf',
        '-c', 'max_connections=200', '-c', 'shared_buffers=256MB', '-c', 'log_connections=on']);
    });
  });

  describe('handles', () => {
    test('connection info for other constructs', () => {
      const { pg } = build({ username: 'doit', databaseName: 'doit_prod' });
      expect(pg.host).toBe('postgres.db.svc.cluster.local');
      expect(pg.port).toBe(5432);
      expect(pg.databaseName).toBe('doit_prod');
      expect(pg.secretName).toBe('postgres-credentials');
      expect(pg.podDnsName()).toBe('postgres-0.postgres-headless.db.svc.cluster.local');
      expect(pg.volumeClaimName()).toBe('data-postgres-0');
      expect(pg.databaseUrlEnv()).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'postgres-credentials', key: 'DATABASE_URL' } } });
      expect(pg.libpqEnv().map(e => e.name)).toEqual(['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD']);
      expect(pg.libpqEnv()[4].valueFrom?.secretKeyRef?.key).toBe('password');
    });

    test('host is the short Service name in a chart without namespace', () => {
      const chart = testChart();
      const pg = new PostgresStatefulSet(chart, 'Postgres', owned);
      expect(pg.host).toBe('postgres');
    });
  });

  describe('bad props fail at synth with path, prop and accepted values', () => {
    const cases: Array<[string, Partial<PostgresStatefulSetProps>, RegExp]> = [
      ['size not a quantity', { storageSize: '10 GB' }, /storageSize.*positive Kubernetes quantity/],
      ['zero size', { storageSize: '0Gi' }, /storageSize/],
      ['empty name', { name: '' }, /"name".*DNS-1123 label/],
      ['invalid DNS label', { name: 'Postgres_DB' }, /"name".*DNS-1123/],
      ['port out of range', { port: 70000 }, /"port".*1 to 65535/],
      ['unsupported major', { version: '13.20' }, /PostgreSQL 13 is not supported; supported majors: 15, 16, 17, 18/],
      ['unpinned version', { version: 'latest' }, /"version".*MAJOR\.MINOR/],
      ['major only', { version: '17' }, /"version".*MAJOR\.MINOR/],
      ['bad database name', { databaseName: 'doit-prod' }, /databaseName.*PostgreSQL identifier/],
      ['managed setting', { config: { port: 1 } }, /config\.port.*managed by PostgresStatefulSet/],
      ['multi-line setting', { config: { search_path: 'a\nb' } }, /config\.search_path/],
      ['bad init file name', { initScripts: { '010-init.txt': 'x' } }, /initScripts\.010-init\.txt.*\.sql or \.sh/],
      ['short password', { credentials: PostgresCredentials.fromValues({ password: 'postgres', superuserPassword: 'superuser-'.repeat(3) }) }, /credentials\.password.*at least 16/],
      ['grace period too short', { terminationGracePeriodSeconds: 5 }, /terminationGracePeriodSeconds.*30 to 3600/],
    ];
    test.each(cases)('%s', (_title, props, message) => {
      const chart = testChart('db');
      let error: unknown;
      try { new PostgresStatefulSet(chart, 'Postgres', { ...owned, ...props }); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(PropError);
      expect((error as Error).message).toMatch(/^test\/Postgres: invalid prop/);
      expect((error as Error).message).toMatch(message);
    });

    test('a short password is not echoed in the error', () => {
      const chart = testChart('db');
      expect(() => new PostgresStatefulSet(chart, 'P', { credentials: PostgresCredentials.fromValues({ password: 'hunter2hunter2', superuserPassword: 'superuser-'.repeat(3) }) }))
        .toThrow(/<redacted>/);
      expect(() => new PostgresStatefulSet(testChart(), 'P', { credentials: PostgresCredentials.fromValues({ password: 'hunter2hunter2', superuserPassword: 'superuser-'.repeat(3) }) }))
        .not.toThrow(/hunter2/);
    });
  });
});
