/**
 * The policy rules of lib/validation/policy.ts at their edges: where a container's setting wins
 * over the pod's, which seccomp profiles and credential URLs count, and values the rules leave
 * to the schema rule. rules.test.ts has one failing case per rule.
 */
import { validateManifests } from '../../lib';
import { checkPolicy } from '../../lib/validation/policy';
import { FindingSink } from '../../lib/validation/report';
import { baseline, byName, web, webContainer, wrap } from './fixture';

const C = 'spec.template.spec.containers[0]';

/** Policy findings for one object, as "rule path". */
function policy(manifest: any): string[] {
  const sink = new FindingSink();
  checkPolicy(wrap([manifest])[0], sink);
  return sink.findings.map(f => `${f.rule} ${f.path}`);
}

/** Policy findings of the web Deployment after `mutate` changed the baseline. */
function webAfter(mutate: (ms: any[]) => void): string[] {
  const ms = baseline();
  mutate(ms);
  return policy(web(ms));
}

const cm = (data: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data });

test('the baseline workloads meet every policy rule', () => {
  for (const m of baseline()) expect([m.kind, policy(m)]).toEqual([m.kind, []]);
});

describe('run-as-non-root: the container\'s setting wins over the pod\'s', () => {
  test('runAsNonRoot on the container alone is enough', () => {
    expect(webAfter(ms => {
      delete web(ms).spec.template.spec.securityContext.runAsNonRoot;
      webContainer(ms).securityContext.runAsNonRoot = true;
    })).toEqual([]);
  });

  test('false on the container overrides true on the pod; so does user 0 on the container', () => {
    expect(webAfter(ms => { webContainer(ms).securityContext.runAsNonRoot = false; })).toEqual([`run-as-non-root ${C}.securityContext.runAsNonRoot`]);
    expect(webAfter(ms => { webContainer(ms).securityContext.runAsUser = 0; })).toEqual([`run-as-non-root ${C}.securityContext.runAsNonRoot`]);
    expect(webAfter(ms => { web(ms).spec.template.spec.securityContext.runAsUser = 0; webContainer(ms).securityContext.runAsUser = 1000; })).toEqual([]);
  });
});

describe('seccomp-runtime-default', () => {
  test('RuntimeDefault or Localhost, on the pod or the container', () => {
    const localhost = { type: 'Localhost', localhostProfile: 'profiles/web.json' };
    expect(webAfter(ms => { web(ms).spec.template.spec.securityContext.seccompProfile = localhost; })).toEqual([]);
    expect(webAfter(ms => { delete web(ms).spec.template.spec.securityContext.seccompProfile; webContainer(ms).securityContext.seccompProfile = localhost; })).toEqual([]);
    expect(webAfter(ms => { webContainer(ms).securityContext.seccompProfile = { type: 'Unconfined' }; })).toEqual([`seccomp-runtime-default ${C}.securityContext.seccompProfile`]);
  });
});

describe('resources', () => {
  test('requests without limits, limits without requests, and no resources at all', () => {
    expect(webAfter(ms => { delete webContainer(ms).resources.limits; })).toEqual([`resources ${C}.resources`, `ephemeral-storage ${C}.resources`]);
    expect(webAfter(ms => { delete webContainer(ms).resources.requests; })).toEqual([`resources ${C}.resources`, `ephemeral-storage ${C}.resources`]);
    expect(webAfter(ms => { delete webContainer(ms).resources; })).toEqual([`resources ${C}.resources`, `ephemeral-storage ${C}.resources`]);
  });
});

describe('secrets in ConfigMaps', () => {
  test('a URL with user and password in any scheme, also a one-letter or digit-ending one', () => {
    for (const url of ['postgres://admin:s3cret@db:5432/app', 's3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/x', 'x://user:pw@host', 'redis+tls://default:hunter22@cache']) {
      expect([url, policy(cm({ URL: url }))]).toEqual([url, ['no-secrets-in-configmap data.URL']]);
    }
  });

  test('a URL without a password, or text that only looks a bit like one, is fine', () => {
    for (const value of ['postgres://admin@db:5432/app', 'https://example.com/a:b@c', 'user:pw@host', 'mailto:admin@example.com', 'http://host:8080/path']) {
      expect([value, policy(cm({ URL: value }))]).toEqual([value, []]);
    }
  });

  test('a non-string value is a schema error, not a policy one', () => {
    const m = cm({ URLS: ['postgres://admin:s3cret@db/app'] });
    expect(policy(m)).toEqual([]);
    expect(validateManifests(wrap([m])).findings.map(f => f.rule)).toEqual(['schema']);
  });
});

describe('no-secret-literal-env', () => {
  test('an empty literal is no secret; a credential URL under any name is', () => {
    expect(webAfter(ms => { webContainer(ms).env.push({ name: 'DATABASE_PASSWORD_FILE_OVERRIDE', value: '' }, { name: 'API_TOKEN', value: '' }); })).toEqual([]);
    expect(webAfter(ms => { webContainer(ms).env.push({ name: 'UPSTREAM', value: 'https://bot:gh-pat-123@example.com/repo.git' }); }))
      .toEqual([`no-secret-literal-env ${C}.env[4].value`]);
  });
});

test('a ConfigMap\'s findings do not spill into workload rules, and other kinds have none', () => {
  const ms = baseline();
  expect(policy(byName(ms, 'Service', 'web'))).toEqual([]);
  expect(policy({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty' } })).toEqual([]);
});
