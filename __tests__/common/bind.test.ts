// Union-like props with bind(): the constructs switch on no class, so a consumer's own variant
// (a subclass with its own bind) works like the library's, and anything else is refused.
import { IConstruct } from 'constructs';
import {
  ElixirDeployment, ElixirSecrets, ElixirSecretsConfig, IngressCertificate, IngressCertificateBinding, IngressCertificateConfig,
  PostgresCredentials, PostgresCredentialsConfig, PostgresStatefulSet, TlsIngress, validate,
} from '../../lib';
import { find, synth, testChart } from '../util';

/** Secrets from a Secret named after the app, as an organisation's convention would have it. */
class ConventionSecrets extends ElixirSecrets {
  public bound?: IConstruct;
  public bind(scope: IConstruct): ElixirSecretsConfig {
    this.bound = scope;
    return { secretName: `org-${(scope as ElixirDeployment).name}`, secretKeyBaseKey: 'skb', releaseCookieKey: 'cookie' };
  }
}

/** One shared wildcard certificate Secret, e.g. copied into each namespace by an operator. */
class SharedWildcard extends IngressCertificate {
  public bind(ingress: IngressCertificateBinding): IngressCertificateConfig {
    return { tls: [{ hosts: [...ingress.hosts], secretName: 'wildcard-tls' }], annotations: { 'example.com/shared': 'true' }, tlsSecretName: 'wildcard-tls', externalSecret: true, acmeHttp01: false };
  }
}

class VaultCredentials extends PostgresCredentials {
  public bind(): PostgresCredentialsConfig {
    return { secretName: 'vault-db', passwordKey: 'pw', databaseUrlKey: 'url', superuserSecretName: 'vault-db-admin', superuserPasswordKey: 'pw' };
  }
}

test('a consumer\'s own variants of ElixirSecrets, IngressCertificate and PostgresCredentials', () => {
  const chart = testChart('shop');
  const db = new PostgresStatefulSet(chart, 'Db', { credentials: new VaultCredentials() });
  const secrets = new ConventionSecrets();
  const app = new ElixirDeployment(chart, 'Web', { name: 'web', image: 'localhost:32000/web:1.0.0', nodeBasename: 'web', secrets, database: db });
  const ingress = new TlsIngress(chart, 'Ingress', { backend: app, hosts: ['web.example.com'], certificate: new SharedWildcard() });
  expect(secrets.bound).toBe(app);
  const all = synth(chart);
  const env = find(all, 'Deployment', 'web').spec.template.spec.containers[0].env;
  expect(env).toContainEqual({ name: 'SECRET_KEY_BASE', valueFrom: { secretKeyRef: { name: 'org-web', key: 'skb' } } });
  expect(env).toContainEqual({ name: 'RELEASE_COOKIE', valueFrom: { secretKeyRef: { name: 'org-web', key: 'cookie' } } });
  expect(env).toContainEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'vault-db', key: 'url' } } });
  expect(all.some(m => m.kind === 'Secret')).toBe(false);
  const ing = find(all, 'Ingress', 'web');
  expect(ing.spec.tls).toEqual([{ hosts: ['web.example.com'], secretName: 'wildcard-tls' }]);
  expect(ing.metadata.annotations['example.com/shared']).toBe('true');
  expect(ingress.tlsSecretName).toBe('wildcard-tls');
  // declared external, so the validator does not report them missing
  expect(validate(chart).errors).toEqual([]);
});

test('anything without bind() is refused, naming the prop and the factories', () => {
  const chart = testChart('shop');
  expect(() => new PostgresStatefulSet(chart, 'Db', { credentials: { password: 'x' } as any }))
    .toThrow(expect.objectContaining({ prop: 'credentials', message: expect.stringMatching(/PostgresCredentials.fromValues.*fromExistingSecret/) }));
  expect(() => new ElixirDeployment(chart, 'Web', { image: 'localhost:32000/web:1.0.0', nodeBasename: 'web', secrets: undefined as any }))
    .toThrow(expect.objectContaining({ prop: 'secrets', message: expect.stringMatching(/ElixirSecrets.fromValues/) }));
  expect(() => new TlsIngress(chart, 'Ing', { backend: { serviceName: 'web', servicePort: 80 }, certificate: { mode: 'secret' } as any }))
    .toThrow(expect.objectContaining({ prop: 'certificate', message: expect.stringMatching(/static factories/) }));
});
