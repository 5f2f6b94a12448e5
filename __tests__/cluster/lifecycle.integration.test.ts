/**
 * A deployment's life on the real API server, as the README tells it: change the config and
 * apply again; a change Kubernetes cannot apply in place is refused at synth with its
 * procedure (and the procedure works); prune after disabling backups removes exactly the
 * backup objects; `kubectl delete -f dist/` keeps namespaces and every volume claim, and
 * re-applying adopts them.
 */
import { createHash } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { ControlPlane } from '../../test/control-plane/cluster';
import { baseEnv, describeOnControlPlane, eventually, expectClean, manifestsIn, readmeApplyLines, readmeLines, runReadme, scratchDir, synthDoit, synthOk } from './helpers';

function jsonpath(cp: ControlPlane, args: string[], path: string): string {
  return cp.kubectl([...args, '-o', `jsonpath=${path}`]).stdout;
}

function distHash(dist: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).forEach(e => {
    if (e.isDirectory()) walk(join(d, e.name)); else h.update(e.name).update(readFileSync(join(d, e.name)));
  });
  walk(dist);
  return h.digest('hex');
}

/** `Kind/namespace/name` of every object our output can contain, as the cluster has them. */
function liveObjects(cp: ControlPlane): Set<string> {
  const kinds = ['deploy', 'sts', 'svc', 'cm', 'secret', 'cronjob', 'ingress', 'networkpolicy', 'pdb', 'sa', 'role', 'rolebinding', 'pvc'];
  const out = cp.kubectl(['get', kinds.join(','), '-A', '-l', 'app.kubernetes.io/part-of=doit', '-o',
    'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']).stdout;
  return new Set(out.split('\n').filter(Boolean));
}

describeOnControlPlane('a deployment\'s life', (cp, version) => {
  const dir = scratchDir('lifecycle');
  const base: Record<string, string> = baseEnv(version);
  const apply = (what: string) => expectClean(what, runReadme(cp(), readmeApplyLines(dir), dir));

  test('first deploy with the README commands', () => {
    synthOk(dir, base);
    apply('first deploy');
    expect(jsonpath(cp(), ['-n', 'doit', 'get', 'deploy', 'elixir'], '{.spec.replicas}')).toBe('3');
  }, 120_000);

  test('re-apply after changing image tag, replicas, host, TLS mode, backup schedule and Postgres minor', () => {
    const changed = {
      ...base, DOIT_IMAGE_TAG: '0.2.0', DOIT_REPLICAS: '2', DOIT_HOST: 'doit.example.com', DOIT_TLS_MODE: 'cert-manager',
      DOIT_TLS_CLUSTER_ISSUER: 'letsencrypt', DOIT_BACKUP_SCHEDULE: '30 3 * * *', DOIT_POSTGRES_VERSION: '17.7',
    };
    synthOk(dir, changed);
    apply('re-apply after change');
    const c = cp();
    expect(jsonpath(c, ['-n', 'doit', 'get', 'deploy', 'elixir'], '{.spec.replicas} {.spec.template.spec.containers[0].image}')).toBe('2 localhost:32000/doit:0.2.0');
    expect(jsonpath(c, ['-n', 'doit', 'get', 'ingress', 'elixir'], '{.spec.rules[0].host} {.spec.tls[0].secretName}')).toBe('doit.example.com elixir-tls');
    expect(jsonpath(c, ['-n', 'doit', 'get', 'cronjob', 'postgres-backup'], '{.spec.schedule}')).toBe('30 3 * * *');
    expect(jsonpath(c, ['-n', 'doit', 'get', 'sts', 'postgres'], '{.spec.template.spec.containers[0].image}')).toBe('postgres:17.7');
    // Back to the defaults for the tests below.
    synthOk(dir, base);
    apply('back to defaults');
  }, 120_000);

  test('a storage size change is refused at synth with the procedure; the procedure works; applying without it would fail', async () => {
    const c = cp();
    const before = distHash(join(dir, 'dist'));
    const refused = synthDoit(dir, { ...base, DOIT_POSTGRES_STORAGE_SIZE: '10Gi' });
    expect(refused.status).toBe(1);
    expect(refused.output).toContain('StatefulSet/doit/postgres (03-doit.k8s.yaml): spec.volumeClaimTemplates[data]: storage 5Gi → 10Gi');
    expect(refused.output).toContain('kubectl -n doit delete statefulset postgres --cascade=orphan');
    expect(distHash(join(dir, 'dist'))).toBe(before); // nothing written

    await eventually('postgres-0 and its claim', () => (c.kubectl(['-n', 'doit', 'get', 'pod/postgres-0', 'pvc/data-postgres-0'], { allowFail: true }).status === 0 ? true : undefined));
    const claimUid = jsonpath(c, ['-n', 'doit', 'get', 'pvc', 'data-postgres-0'], '{.metadata.uid}');
    const podUid = jsonpath(c, ['-n', 'doit', 'get', 'pod', 'postgres-0'], '{.metadata.uid}');

    synthOk(dir, { ...base, DOIT_POSTGRES_STORAGE_SIZE: '10Gi', DOIT_ACCEPT_REPLACEMENT: 'StatefulSet/doit/postgres' });
    // What the refusal prevents: a plain apply fails on the StatefulSet after applying the rest.
    const plain = c.kubectl(['apply', '-f', join(dir, 'dist', '03-doit.k8s.yaml')], { allowFail: true });
    expect(plain.status).not.toBe(0);
    expect(plain.stderr).toMatch(/The StatefulSet "postgres" is invalid: spec: Forbidden: updates to statefulset spec for fields other than/);

    expectClean('orphan delete', c.kubectl(['-n', 'doit', 'delete', 'statefulset', 'postgres', '--cascade=orphan']));
    apply('apply after the procedure');
    expect(jsonpath(c, ['-n', 'doit', 'get', 'sts', 'postgres'], '{.spec.volumeClaimTemplates[0].spec.resources.requests.storage}')).toBe('10Gi');
    // Adopted, not replaced: the same pod and the same claim (with its data).
    await eventually('postgres-0 adopted', () => (jsonpath(c, ['-n', 'doit', 'get', 'pod', 'postgres-0'], '{.metadata.ownerReferences[0].name}') === 'postgres' ? true : undefined));
    expect(jsonpath(c, ['-n', 'doit', 'get', 'pod', 'postgres-0'], '{.metadata.uid}')).toBe(podUid);
    expect(jsonpath(c, ['-n', 'doit', 'get', 'pvc', 'data-postgres-0'], '{.metadata.uid}')).toBe(claimUid);
  }, 180_000);

  test('the README prune command after disabling backups removes exactly the backup objects', () => {
    const c = cp();
    const env = { ...base, DOIT_POSTGRES_STORAGE_SIZE: '10Gi' };
    const prune = readmeLines('To prune objects a', l => l.includes('npm run prune -- --yes'));
    expect(prune).toHaveLength(1);
    // First with the current output: removes what the earlier config change left behind (the
    // ACME solver's NetworkPolicy of the cert-manager mode), and only that.
    // Labelled like ours and applied with kubectl, yet never ours to prune: another stack's
    // object in a namespace this output does not use, and one a controller owns (as the
    // Certificate cert-manager creates for an Ingress, which copies the Ingress' labels).
    const labelled = { 'app.kubernetes.io/part-of': 'doit' };
    const deployUid = jsonpath(c, ['-n', 'doit', 'get', 'deploy', 'elixir'], '{.metadata.uid}');
    c.kubectl(['create', 'namespace', 'other-stack']);
    c.kubectl(['apply', '--server-side', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1', kind: 'List', items: [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other-stack-config', namespace: 'other-stack', labels: labelled } },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned-by-elixir', namespace: 'doit', labels: labelled, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'elixir', uid: deployUid }] } },
        ],
      }),
    });
    const leftovers = liveObjects(c);
    expectClean('README prune (current output)', runReadme(c, prune, dir));
    expect([...leftovers].filter(k => !liveObjects(c).has(k))).toEqual(['NetworkPolicy/doit/acme-http01-solver-ingress']);
    expect(c.kubectl(['-n', 'other-stack', 'get', 'configmap', 'other-stack-config'], { allowFail: true }).status).toBe(0);
    expect(c.kubectl(['-n', 'doit', 'get', 'configmap', 'owned-by-elixir'], { allowFail: true }).status).toBe(0);

    const withBackups = manifestsIn(join(dir, 'dist'));
    const liveBefore = liveObjects(c);
    synthOk(dir, { ...env, DOIT_BACKUP_ENABLED: 'false' });
    const withoutBackups = manifestsIn(join(dir, 'dist'));
    const key = (m: { kind: string; metadata: { namespace?: string; name: string } }) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
    const removedFromDist = withBackups.map(key).filter(k => !withoutBackups.map(key).includes(k));
    expect(removedFromDist.sort()).toEqual(['ConfigMap/doit/postgres-backup-scripts', 'CronJob/doit/postgres-backup', 'NetworkPolicy/doit/postgres-backup-egress', 'PersistentVolumeClaim/doit/postgres-backups'].sort());

    expectClean('README prune', runReadme(c, prune, dir));
    const liveAfter = liveObjects(c);
    const pruned = [...liveBefore].filter(k => !liveAfter.has(k)).sort();
    // The backup claim lives in dist/bootstrap/ (not pruned, not labelled): the dumps stay.
    expect(pruned).toEqual(['ConfigMap/doit/postgres-backup-scripts', 'CronJob/doit/postgres-backup', 'NetworkPolicy/doit/postgres-backup-egress']);
    expect(c.kubectl(['-n', 'doit', 'get', 'pvc', 'postgres-backups'], { allowFail: true }).status).toBe(0);

    // Switching to existing secrets: the generated Secrets leave dist/ but are what the pods use
    // (the references are declared external): prune keeps them.
    const secrets = () => c.kubectl(['get', 'secrets', '-A', '-l', 'app.kubernetes.io/part-of=doit', '-o', 'name']).stdout.split('\n').filter(Boolean).sort();
    const secretsBefore = secrets();
    expect(secretsBefore.length).toBeGreaterThanOrEqual(4);
    synthOk(dir, { ...env, DOIT_BACKUP_ENABLED: 'false', DOIT_SECRETS_MODE: 'existing' });
    expect(manifestsIn(join(dir, 'dist')).some(m => m.kind === 'Secret')).toBe(false);
    expectClean('README prune (existing secrets)', runReadme(c, prune, dir));
    expect(secrets()).toEqual(secretsBefore);
    synthOk(dir, { ...env, DOIT_BACKUP_ENABLED: 'false' });
  }, 180_000);

  test('kubectl delete -f dist/ keeps namespaces and every claim; applying again adopts them', async () => {
    const c = cp();
    const claims = ['doit/data-postgres-0', 'container-registry/data-registry-0', 'doit/postgres-backups'];
    await eventually('registry claim', () => (c.kubectl(['-n', 'container-registry', 'get', 'pvc', 'data-registry-0'], { allowFail: true }).status === 0 ? true : undefined));
    const uid = (ref: string) => jsonpath(c, ['-n', ref.split('/')[0], 'get', 'pvc', ref.split('/')[1]], '{.metadata.uid}');
    const uids = Object.fromEntries(claims.map(ref => [ref, uid(ref)]));

    expectClean('delete -f dist/', c.kubectl(['delete', '-f', join(dir, 'dist')]));
    expect(c.kubectl(['-n', 'doit', 'get', 'sts,deploy', '-o', 'name']).stdout.trim()).toBe('');
    for (const ns of ['doit', 'container-registry']) expect(jsonpath(c, ['get', 'ns', ns], '{.status.phase}')).toBe('Active');
    for (const ref of claims) expect(uid(ref)).toBe(uids[ref]);

    apply('re-apply after delete');
    for (const [sts, ns] of [['postgres', 'doit'], ['registry', 'container-registry']]) {
      await eventually(`${sts}-0 re-created`, () => (c.kubectl(['-n', ns, 'get', 'pod', `${sts}-0`], { allowFail: true }).status === 0 ? true : undefined));
      const claim = jsonpath(c, ['-n', ns, 'get', 'pod', `${sts}-0`], '{.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}');
      expect(claim).toBe(`data-${sts}-0`);
    }
    for (const ref of claims) expect(uid(ref)).toBe(uids[ref]);
  }, 180_000);
});
