/**
 * The shared input helpers (cron, image references, resources) and the props and config that
 * use them: bad input fails at synth with the construct path, the prop and what is accepted.
 */
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cronProblem } from '../../lib/common/cron';
import { imageReferenceProblem, repositoryProblem, splitImageReference } from '../../lib/common/image-ref';
import { ConfigError, loadConfig } from '../../app/config';
import { ElixirDeployment, ElixirSecrets, LocalRegistry, PostgresBackup, PostgresCredentials, PostgresStatefulSet, RegistryAuth, RegistryHttpSecret, TlsIngress } from '../../lib';
import { Quantity } from '../../imports/k8s';
import { parseQuantity } from '../../lib/validation/props';
import { testChart } from '../util';

describe('cron schedules', () => {
  test.each(['15 2 * * *', '*/5 * * * *', '0 0-23/2 1,15 * mon-fri', '30 3 * jan,jul sun', '0 0 ? * 6', '@daily', '@hourly'])('accepts %s', expr => {
    expect(cronProblem(expr)).toBeUndefined();
  });
  test.each([
    ['61 2 * * *', /minute "61": out of range 0-59/],
    ['a b c d e', /minute "a": "a" is not a number/],
    ['0 24 * * *', /hour "24": out of range 0-23/],
    ['0 0 0 * *', /day of month "0": out of range 1-31/],
    ['0 0 * 13 *', /month "13": out of range 1-12/],
    ['0 0 * * 7', /day of week "7": out of range 0-6/],
    ['0 0 * * mon-sat-sun', /is not a number or name/],
    ['*/0 * * * *', /step "0" must be a positive number/],
    ['5-1 * * * *', /backwards/],
    ['* * * *', /expected 5 fields/],
    ['@sometimes', /unknown macro/],
    ['TZ=UTC 0 0 * * *', /timeZone/],
  ])('refuses %s', (expr, message) => {
    expect(cronProblem(expr)).toMatch(message);
  });
});

describe('image references', () => {
  test.each(['postgres:17.6', 'localhost:32000/doit:0.1.0', 'ghcr.io/acme/shop:1.0.0', 'registry.k8s.io/kubectl:v1.36.3',
    `reg.example.com:5000/team/app@sha256:${'a'.repeat(64)}`, 'Reg.Example.com/team/app:1'])('accepts %s', ref => {
    expect(imageReferenceProblem(ref)).toBeUndefined();
  });
  test.each([
    ['https://reg.example.com/app:1', /no URL scheme/],
    ['reg.example.com/Team/App:1', /the path must be lower case/],
    ['doit', /not pinned/],
    ['doit:latest', /not pinned/],
    ['doit:bad tag', /tag "bad tag" is not a tag/],
    ['doit@sha256:xyz', /digest "sha256:xyz"/],
    ['double//slash:1', /expected \[registry-host/],
  ])('refuses %s', (ref, message) => {
    expect(imageReferenceProblem(ref)).toMatch(message);
  });
  test('a registry port is not a tag', () => {
    expect(splitImageReference('localhost:32000/doit')).toEqual({ repository: 'localhost:32000/doit', digest: undefined });
    expect(repositoryProblem('localhost:32000/doit')).toBeUndefined();
  });
});

describe('constructs refuse bad input with path, prop and accepted values', () => {
  const db = () => {
    const chart = testChart('doit');
    return { chart, pg: new PostgresStatefulSet(chart, 'Postgres', { credentials: PostgresCredentials.fromValues({ password: 'p'.repeat(24), superuserPassword: 's'.repeat(24) }) }) };
  };
  const app = (props: object) => {
    const { chart } = db();
    return () => new ElixirDeployment(chart, 'App', {
      image: 'localhost:32000/doit:1.0.0', nodeBasename: 'doit', secrets: ElixirSecrets.fromValues({ secretKeyBase: 'k'.repeat(64), releaseCookie: 'c'.repeat(32) }), ...props,
    });
  };

  test('image: not a reference', () => {
    expect(app({ image: 'https://reg.example.com/doit:1' })).toThrow(/test\/App: invalid prop "image" = "https:\/\/reg.example.com\/doit:1": expected an image reference .*no URL scheme/);
    expect(app({ image: 'Reg.example.com/Doit:1' })).toThrow(/the path must be lower case/);
  });

  test('resources: negative quantities and requests above limits', () => {
    expect(app({ resources: { requests: { memory: Quantity.fromString('-1Gi') } } })).toThrow(/prop "resources.requests.memory" = "-1Gi": expected a non-negative Kubernetes quantity/);
    expect(app({ resources: { requests: { memory: Quantity.fromString('1Gi') }, limits: { memory: Quantity.fromString('512Mi') } } }))
      .toThrow(/prop "resources.requests.memory" = "1Gi": must not exceed limits.memory \(512Mi\)/);
    expect(app({ resources: { requests: { cpu: Quantity.fromString('500m') }, limits: { cpu: Quantity.fromString('1') } } })).not.toThrow();
  });

  test('backup schedule: out-of-range and non-numeric fields', () => {
    const { chart, pg } = db();
    expect(() => new PostgresBackup(chart, 'Backup', { database: pg, schedule: '61 2 * * *' })).toThrow(/prop "schedule" = "61 2 \* \* \*": expected a five-field cron expression .*minute "61": out of range 0-59/);
    expect(() => new PostgresBackup(chart, 'Backup2', { database: pg, schedule: 'a b c d e' })).toThrow(/minute "a"/);
  });
});

describe('doit config refuses bad input', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cfg-in-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ env, cwd: dir });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  test('cron schedules', () => {
    expect(problems({ DOIT_BACKUP_SCHEDULE: '61 2 * * *' })).toEqual([expect.stringMatching(/^backup.schedule \(from env DOIT_BACKUP_SCHEDULE="61 2 \* \* \*"\): .*minute "61": out of range 0-59/)]);
    expect(problems({ DOIT_BACKUP_SCHEDULE: 'a b c d e' })[0]).toMatch(/minute "a"/);
  });

  test('image repositories that are not references', () => {
    expect(problems({ DOIT_IMAGE_REPOSITORY: 'https://reg.example.com' })[0]).toMatch(/^image.repository .*no URL scheme/);
    expect(problems({ DOIT_IMAGE_REPOSITORY: 'reg.example.com/Me/Doit' })[0]).toMatch(/the path must be lower case/);
    expect(loadConfig({ env: { DOIT_IMAGE_REPOSITORY: 'ghcr.io/me/doit' }, cwd: dir }).image.repository).toBe('ghcr.io/me/doit');
  });

  test.each(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'ingress', 'cert-manager', 'container-registry'])('namespace %s is refused', ns => {
    expect(problems({ DOIT_NAMESPACE: ns })).toEqual([expect.stringMatching(new RegExp(`^namespace \\(from env DOIT_NAMESPACE="${ns}"\\): "${ns}" is not the app's to take: .*default-deny NetworkPolicies`))]);
  });

  test('container-registry is fine when the stack brings no registry', () => {
    expect(loadConfig({ env: { DOIT_NAMESPACE: 'container-registry', DOIT_REGISTRY_ENABLED: 'false' }, cwd: dir }).namespace).toBe('container-registry');
  });

  // One helper per concept: the config takes exactly what the construct it feeds takes.
  test.each([
    ['doit', true], ['team/doit', true], ['my__app', true], ['a--b', true], ['a.b_c', true], ['x'.repeat(255), true],
    ['Doit', false], ['a___b', false], ['-a', false], ['a/', false], ['a//b', false], ['x'.repeat(256), false],
  ])('image name %j: the config and LocalRegistry.imageRef agree (accepted: %s)', (name, ok) => {
    const registry = new LocalRegistry(testChart(), 'Registry', {
      httpSecret: RegistryHttpSecret.fromValue('s'.repeat(32)), auth: RegistryAuth.htpasswd({ username: 'ci', password: 'p'.repeat(16) }),
    });
    const construct = (() => { try { registry.imageRef(name, '1.0.0'); return true; } catch { return false; } })();
    const config = (() => { try { loadConfig({ env: { DOIT_IMAGE_NAME: name }, cwd: dir }); return true; } catch { return false; } })();
    expect([construct, config]).toEqual([ok, ok]);
  });

  test.each([
    ['doit.example.com', true], ['*.example.com', true], ['a'.repeat(63) + '.com', true], ['999.1.1.1', true],
    ['a'.repeat(64) + '.com', false], ['Doit.example.com', false], ['-a.example.com', false], ['a..b', false], ['*', false], ['1.2.3.4', false],
  ])('host %j: the config and TlsIngress agree on DNS names (accepted: %s)', (host, ok) => {
    const backend = { serviceName: 'web', servicePort: 80 };
    const construct = (() => { try { new TlsIngress(testChart('shop'), 'Ingress', { backend, hosts: [host] }); return true; } catch { return false; } })();
    const config = (() => { try { loadConfig({ env: { DOIT_HOST: host }, cwd: dir }); return true; } catch { return false; } })();
    // The config also takes a node's IP address (a host-less Ingress then), which no Ingress host may be.
    expect([construct, config]).toEqual([ok, ok || host === '1.2.3.4']);
  });

  test('namespaces and class names: DNS-1123 labels of at most 63 characters', () => {
    expect(loadConfig({ env: { DOIT_NAMESPACE: 'a'.repeat(63) }, cwd: dir }).namespace).toBe('a'.repeat(63));
    expect(problems({ DOIT_NAMESPACE: 'a'.repeat(64) })[0]).toMatch(/^namespace .*DNS-1123 label/);
    expect(problems({ DOIT_NAMESPACE: 'Doit' })[0]).toMatch(/^namespace .*DNS-1123 label/);
  });

  test('sizes must be positive quantities', () => {
    expect(problems({ DOIT_POSTGRES_STORAGE_SIZE: '-5Gi' })[0]).toMatch(/^postgres.storageSize .*expected a positive Kubernetes quantity/);
    expect(problems({ DOIT_BACKUP_STORAGE_SIZE: '0' })[0]).toMatch(/^backup.storageSize .*positive/);
  });
});

describe('parseQuantity reads quantities as the API server does (found by the differential test)', () => {
  test('its scanner: blanks trimmed, a missing number is 0, "1." is 1, exponents; what it cannot parse is undefined', () => {
    expect([' 1Gi', 'Gi', '.', '1.', '1e3', '1E', '500m', '-1'].map(parseQuantity)).toEqual([2 ** 30, 0, 0, 1, 1000, 1e18, 0.5, -1]);
    for (const bad of ['', 'abc', '1Gi2', '1 Gi', 'KiB', 'mi', '0.5e', '1.5.5']) expect([bad, parseQuantity(bad)]).toEqual([bad, undefined]);
  });

  test('binary suffixes capped at 2^63-1, so 9Ei equals 8Ei (decimal ones not: 10E is more); finer than a nano-unit rounds up to 1n', () => {
    expect(parseQuantity('9Ei')).toBe(parseQuantity('8Ei'));
    expect(parseQuantity('10E')!).toBeGreaterThan(parseQuantity('8Ei')!);
    expect(parseQuantity('0.1n')).toBe(parseQuantity('1n'));
    expect(parseQuantity('0.5n')).toBe(parseQuantity('0.3n'));
    expect(parseQuantity('1.5')).toBe(1.5);
  });
});
