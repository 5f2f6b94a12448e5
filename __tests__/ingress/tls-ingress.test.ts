import { App, Chart, Testing } from 'cdk8s';
import {
  ElixirDeployment, ElixirSecrets, expectValid, IHttpBackend, IngressCertificate, IngressController, PropError,
  SelfSignedCaIssuer, TlsIngress, TlsIngressProps, validate,
} from '../../lib';
import { find, synth, testChart, declared } from '../util';

function setup(props: Partial<TlsIngressProps> = {}, app: App = Testing.app()) {
  const chart = new Chart(app, 'doit', { namespace: 'doit' });
  const backend = new ElixirDeployment(chart, 'Elixir', {
    image: 'localhost:32000/doit:1.0.0', nodeBasename: 'doit',
    secrets: ElixirSecrets.fromValues({ secretKeyBase: 'k'.repeat(64), releaseCookie: 'c'.repeat(32) }),
  });
  const ingress = new TlsIngress(chart, 'Ingress', { backend, ...props });
  return { app, chart, backend, ingress, manifests: synth(chart) };
}

const traefik = (m: any[]) => find(m, 'Ingress', 'elixir');

describe('TlsIngress', () => {
  describe.each([IngressController.TRAEFIK, IngressController.NGINX])('controller %s', controller => {
    test.each([
      ['controller default, local mode', {}],
      ['controller default with a host', { hosts: ['doit.example.com'] }],
      ['existing Secret', { hosts: ['doit.example.com'], certificate: IngressCertificate.fromSecret('doit-cert') }],
      ['cert-manager ClusterIssuer', { hosts: ['doit.example.com'], certificate: IngressCertificate.certManager({ clusterIssuer: 'letsencrypt' }) }],
      ['cert-manager Issuer', { hosts: ['doit.example.com'], certificate: IngressCertificate.certManager({ issuer: 'acme' }) }],
      ['self-signed CA', { hosts: ['doit.local'], certificate: IngressCertificate.selfSignedCa() }],
    ] as Array<[string, Partial<TlsIngressProps>]>)('%s: snapshot and validation', (_t, props) => {
      const { app, manifests } = setup({ controller, ...props });
      expect(manifests).toMatchSnapshot();
      const report = validate(app);
      // Traefik Middlewares and cert-manager objects are checked against their npm schemas too
      expect(report.findings).toEqual([]);
    });
  });

  describe('Traefik (MicroK8s ≥ 1.35)', () => {
    test('HTTPS router on websecure with TLS and HSTS; class public; no buffering unless asked', () => {
      const { manifests } = setup({ hosts: ['doit.example.com'] });
      const ing = traefik(manifests);
      expect(ing.spec.ingressClassName).toBe('public');
      expect(ing.metadata.annotations).toEqual({
        'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure',
        'traefik.ingress.kubernetes.io/router.tls': 'true',
        'traefik.ingress.kubernetes.io/router.middlewares': 'doit-elixir-hsts@kubernetescrd',
      });
      // Traefik's buffering middleware would also buffer whole responses (streams, long-poll)
      expect(manifests.some(m => m.kind === 'Middleware' && m.spec.buffering)).toBe(false);
    });

    test('an explicit body limit adds the buffering middleware to the HTTPS router', () => {
      const { manifests } = setup({ hosts: ['doit.example.com'], maxBodySize: '8Mi' });
      expect(traefik(manifests).metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares']).toBe('doit-elixir-hsts@kubernetescrd,doit-elixir-body-limit@kubernetescrd');
      expect(find(manifests, 'Middleware', 'elixir-body-limit').spec).toEqual({ buffering: { maxRequestBodyBytes: 8 * 1024 ** 2 } });
    });

    test('HSTS: one year by default on the HTTPS route only; tunable; false turns it off; preload needs its preconditions', () => {
      const { manifests } = setup({ hosts: ['doit.example.com'] });
      expect(find(manifests, 'Middleware', 'elixir-hsts').spec).toEqual({ headers: { stsSeconds: 31536000, stsIncludeSubdomains: false, stsPreload: false } });
      expect(find(manifests, 'Ingress', 'elixir-http').metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares']).toBe('doit-elixir-redirect-https@kubernetescrd');
      const tuned = setup({ hosts: ['doit.example.com'], hsts: { maxAgeSeconds: 63072000, includeSubdomains: true, preload: true } }).manifests;
      expect(find(tuned, 'Middleware', 'elixir-hsts').spec.headers).toEqual({ stsSeconds: 63072000, stsIncludeSubdomains: true, stsPreload: true });
      const off = setup({ hosts: ['doit.example.com'], hsts: false }).manifests;
      expect(off.some(m => m.kind === 'Middleware' && m.spec.headers)).toBe(false);
      expect(traefik(off).metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares']).toBeUndefined();
      expect(() => setup({ hsts: { preload: true } })).toThrow(/hsts.preload.*includeSubdomains: true and maxAgeSeconds of at least 31536000/);
      expect(() => setup({ hsts: { maxAgeSeconds: -1 } })).toThrow(/hsts.maxAgeSeconds/);
      // max-age=0 undoes HSTS in browsers; Traefik would send nothing for stsSeconds 0
      const forget = setup({ hosts: ['doit.example.com'], hsts: { maxAgeSeconds: 0, includeSubdomains: true } }).manifests;
      expect(find(forget, 'Middleware', 'elixir-hsts').spec).toEqual({ headers: { customResponseHeaders: { 'Strict-Transport-Security': 'max-age=0; includeSubDomains' } } });
    });

    test('HTTP→HTTPS: a second Ingress on web that only redirects', () => {
      const { manifests } = setup({ hosts: ['doit.example.com'] });
      const http = find(manifests, 'Ingress', 'elixir-http');
      expect(http.metadata.annotations).toEqual({
        'traefik.ingress.kubernetes.io/router.entrypoints': 'web',
        'traefik.ingress.kubernetes.io/router.middlewares': 'doit-elixir-redirect-https@kubernetescrd',
      });
      expect(http.spec.tls).toBeUndefined();
      expect(find(manifests, 'Middleware', 'elixir-redirect-https').spec).toEqual({ redirectScheme: { scheme: 'https', permanent: true } });
    });

    test('no NGINX annotations', () => {
      const { manifests } = setup({ hosts: ['doit.example.com'] });
      expect(JSON.stringify(manifests)).not.toContain('nginx.ingress.kubernetes.io');
    });
  });

  describe('NGINX (MicroK8s ≤ 1.34)', () => {
    test('redirect, websocket timeouts, body size; no Traefik objects', () => {
      const { manifests } = setup({ controller: IngressController.NGINX, hosts: ['doit.example.com'], maxBodySize: '20Mi', websocketTimeoutSeconds: 7200 });
      expect(traefik(manifests).metadata.annotations).toEqual({
        'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '7200',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '7200',
        'nginx.ingress.kubernetes.io/proxy-body-size': '20m',
      });
      expect(manifests.filter(m => m.kind !== 'Ingress' || m.metadata.name !== 'elixir').some(m => m.kind === 'Middleware' || m.kind === 'Ingress')).toBe(false);
      expect(JSON.stringify(manifests)).not.toContain('traefik');
    });

    test('HSTS is the controller ConfigMap\'s (on by default): settings per Ingress are refused, false is accepted', () => {
      expect(() => setup({ controller: IngressController.NGINX, hsts: { maxAgeSeconds: 60 } })).toThrow(/hsts.*controller ConfigMap \(hsts, hsts-max-age/);
      expect(setup({ controller: IngressController.NGINX, hsts: false }).manifests.some(m => m.kind === 'Middleware')).toBe(false);
    });
  });

  describe('certificate sources', () => {
    test('controller default: tls lists the hosts without a secret; local mode has no tls section but TLS routing', () => {
      expect(traefik(setup({ hosts: ['a.example.com'] }).manifests).spec.tls).toEqual([{ hosts: ['a.example.com'] }]);
      const local = traefik(setup().manifests);
      expect(local.spec.tls).toBeUndefined();
      expect(local.spec.rules).toEqual([{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'elixir', port: { number: 80 } } } }] } }]);
    });

    test('existing Secret is referenced and declared external', () => {
      const { manifests, chart } = setup({ hosts: ['a.example.com'], certificate: IngressCertificate.fromSecret('my-cert') });
      const ing = traefik(manifests);
      expect(ing.spec.tls).toEqual([{ hosts: ['a.example.com'], secretName: 'my-cert' }]);
      expect(declared(chart, 'Ingress', 'elixir').secrets).toBe('my-cert');
      expect(Object.keys(ing.metadata.annotations)).not.toContain('validation.microk8s-phoenix.io/external-secrets');
    });

    test('cert-manager: the right annotation for ClusterIssuer and Issuer, certificate Secret <name>-tls', () => {
      const a = traefik(setup({ hosts: ['a.example.com'], certificate: IngressCertificate.certManager({ clusterIssuer: 'le' }) }).manifests);
      expect(a.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('le');
      expect(a.spec.tls).toEqual([{ hosts: ['a.example.com'], secretName: 'elixir-tls' }]);
      const b = traefik(setup({ hosts: ['a.example.com'], certificate: IngressCertificate.certManager({ issuer: 'ns-issuer' }) }).manifests);
      expect(b.metadata.annotations['cert-manager.io/issuer']).toBe('ns-issuer');
      expect(b.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
    });

    test('self-signed CA: bootstrap Issuer → one-year CA Certificate → CA Issuer, all namespaced, once per chart', () => {
      const app = Testing.app();
      const first = setup({ hosts: ['a.local'], certificate: IngressCertificate.selfSignedCa() }, app);
      new TlsIngress(first.chart, 'Second', { backend: { serviceName: first.backend.serviceName, servicePort: first.backend.servicePort }, name: 'second', hosts: ['b.local'], certificate: IngressCertificate.selfSignedCa() });
      const issuers = synth(first.chart).filter(m => m.apiVersion === 'cert-manager.io/v1');
      expect(issuers.map(m => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
        'Issuer/doit/local-ca-bootstrap', 'Certificate/doit/local-ca', 'Issuer/doit/local-ca',
      ]);
      expect(find(issuers, 'Certificate', 'local-ca').spec).toEqual({
        isCA: true, commonName: 'doit local CA (microk8s-phoenix)', secretName: 'local-ca', duration: '8760h', renewBefore: '720h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        issuerRef: { name: 'local-ca-bootstrap', kind: 'Issuer', group: 'cert-manager.io' },
      });
      expect(find(issuers, 'Issuer', 'local-ca').spec).toEqual({ ca: { secretName: 'local-ca' } });
      for (const m of synth(first.chart)) {
        expect(m.kind).not.toBe('ClusterIssuer');
        if (m.kind === 'Ingress' && m.metadata.annotations?.['cert-manager.io/issuer']) {
          expect(m.metadata.annotations['cert-manager.io/issuer']).toBe('local-ca');
          expect(m.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
        }
      }
      expect(validate(first.chart).findings).toEqual([]); // cert-manager objects are schema-checked, not "unchecked"
    });

    test('a given self-signed CA of the namespace is the one used, and no default CA is made', () => {
      const app = Testing.app();
      const chart = new Chart(app, 'doit', { namespace: 'doit' });
      const ca = new SelfSignedCaIssuer(chart, 'TeamCa', { name: 'team-ca', commonName: 'team CA' });
      const backend = { serviceName: 'web', servicePort: 80 };
      const ingress = new TlsIngress(chart, 'Ingress', { backend, hosts: ['a.local'], certificate: IngressCertificate.selfSignedCa(ca) });
      const manifests = synth(chart);
      expect(find(manifests, 'Ingress', 'web').metadata.annotations['cert-manager.io/issuer']).toBe('team-ca');
      expect(manifests.filter(m => m.apiVersion === 'cert-manager.io/v1').map(m => `${m.kind}/${m.metadata.name}`))
        .toEqual(['Issuer/team-ca-bootstrap', 'Certificate/team-ca', 'Issuer/team-ca']);
      expect(find(manifests, 'Certificate', 'team-ca').spec.commonName).toBe('team CA');
      expect(ingress.acmeHttp01).toBe(false);
    });

    test('ACME HTTP-01 is what cert-manager issuers do unless told otherwise; DNS-01, none and a CA are not', () => {
      const acme = (certificate: IngressCertificate) => setup({ hosts: ['doit.example.com'], certificate }).ingress.acmeHttp01;
      expect(acme(IngressCertificate.certManager({ clusterIssuer: 'le' }))).toBe(true);
      expect(acme(IngressCertificate.certManager({ issuer: 'le', challenge: 'http01' }))).toBe(true);
      expect(acme(IngressCertificate.certManager({ clusterIssuer: 'le', challenge: 'dns01' }))).toBe(false);
      expect(acme(IngressCertificate.certManager({ clusterIssuer: 'vault', challenge: 'none' }))).toBe(false);
      expect(acme(IngressCertificate.fromSecret('doit-cert'))).toBe(false);
      expect(setup().ingress.acmeHttp01).toBe(false);
    });

    test('body limit: whole bytes from 1, exact for Traefik, rounded up to MiB for NGINX', () => {
      const limit = (maxBodySize: string) => find(setup({ maxBodySize }).manifests, 'Middleware', 'elixir-body-limit').spec.buffering.maxRequestBodyBytes;
      expect(limit('100M')).toBe(100_000_000);
      expect(limit('1')).toBe(1);
      expect(limit('8Mi')).toBe(8 * 1024 * 1024);
      const nginx = (maxBodySize?: string) => traefik(setup({ controller: IngressController.NGINX, maxBodySize }).manifests).metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size'];
      expect(nginx()).toBe('8m');
      expect(nginx('100M')).toBe('96m');
      expect(nginx('1Gi')).toBe('1024m');
      for (const bad of ['0', '0.5', '1500m', '-1Mi', '']) {
        expect(() => setup({ maxBodySize: bad })).toThrow(/invalid prop "maxBodySize".*whole number of bytes/);
      }
    });

    test('SelfSignedCaIssuer props: names, lifetimes in h/m/s of at least an hour, renewal before expiry', () => {
      const ca = (props: object) => new SelfSignedCaIssuer(new Chart(Testing.app(), 'c', { namespace: 'x' }), 'Ca', props);
      const propOf = (props: object) => { try { ca(props); } catch (e) { return (e as PropError).prop; } return undefined; };
      expect(propOf({ name: 'Team CA' })).toBe('name');
      expect(propOf({ commonName: ' ' })).toBe('commonName');
      expect(propOf({ duration: '' })).toBe('duration');
      expect(propOf({ renewBefore: '1.5h' })).toBe('renewBefore');
      expect(propOf({ renewBefore: 720 })).toBe('renewBefore');
      expect(() => new SelfSignedCaIssuer(new Chart(Testing.app(), 'c'), 'Ca')).toThrow(expect.objectContaining({ prop: 'scope' }));
      // at least an hour, counting minutes and seconds
      for (const d of ['1h', '60m', '3600s', '59m60s', '0h30m1800s']) expect(propOf({ duration: d, renewBefore: '30m' })).toBe('renewBefore');
      for (const d of ['59m', '3599s', '59m59s', 'h', '1d']) expect(propOf({ duration: d })).toBe('duration');
      // renewBefore strictly below duration, compared in time, not text
      expect(propOf({ duration: '2h', renewBefore: '1h59m59s' })).toBeUndefined();
      expect(propOf({ duration: '2h', renewBefore: '1h60m' })).toBe('renewBefore');
      expect(propOf({ duration: '90m', renewBefore: '1h' })).toBeUndefined();
      expect(propOf({ duration: '90m', renewBefore: '1h30m' })).toBe('renewBefore');
      expect(propOf({ duration: '1h1s', renewBefore: '3600s' })).toBeUndefined();
      expect(propOf({ duration: '2h', renewBefore: '7199s' })).toBeUndefined();
      expect(propOf({ duration: '2h', renewBefore: '7200s' })).toBe('renewBefore');
    });

    test('a CA of another namespace is refused; SelfSignedCaIssuer needs a namespaced chart; lifetimes are checked', () => {
      const app = Testing.app();
      const ca = new SelfSignedCaIssuer(new Chart(app, 'other', { namespace: 'other' }), 'Ca');
      expect(() => setup({ hosts: ['a.local'], certificate: IngressCertificate.selfSignedCa(ca) }, app))
        .toThrow(/certificate.*expected a SelfSignedCaIssuer in the Ingress' namespace "doit"/);
      expect(() => new SelfSignedCaIssuer(new Chart(Testing.app(), 'c'), 'Ca')).toThrow(/create SelfSignedCaIssuer in the chart \(with a namespace\)/);
      const chart = () => new Chart(Testing.app(), 'c', { namespace: 'x' });
      expect(() => new SelfSignedCaIssuer(chart(), 'Ca', { duration: '10y' })).toThrow(/duration.*expected a cert-manager duration/);
      expect(() => new SelfSignedCaIssuer(chart(), 'Ca', { duration: '720h', renewBefore: '720h' })).toThrow(/renewBefore.*expected less than duration/);
    });
  });

  test('a name that would be a too-long label value, and bad extra labels, fail as props (not at kubectl apply)', () => {
    expect(() => setup({ name: 'i'.repeat(64) })).toThrow(/invalid prop "name" = "i{64}": expected a DNS-1123 subdomain of at most 63 characters \(it is also a label value\)/);
    expect(() => setup({ labels: { team: 'x'.repeat(64) } })).toThrow(/invalid prop "labels\["team"\]".*expected a label value/);
    expect(() => setup({ labels: { 'a/b/c': 'x' } })).toThrow(/invalid prop "labels\["a\/b\/c"\]".*expected a label key/);
    expect(() => setup({ name: 'i'.repeat(63), labels: { team: 'web' } })).not.toThrow();
  });

  test('handles: host and URLs; PHX_HOST equals the ingress host when wired in one chart', () => {
    const chart = new Chart(Testing.app(), 'doit', { namespace: 'doit' });
    const backend: IHttpBackend = { serviceName: 'elixir', servicePort: 80 };
    const ingress = new TlsIngress(chart, 'Ingress', { backend, hosts: ['doit.example.com', 'www.doit.example.com'] });
    expect(ingress.host).toBe('doit.example.com');
    expect(ingress.urls).toEqual(['https://doit.example.com', 'https://www.doit.example.com']);
    const app = new ElixirDeployment(chart, 'Elixir', {
      image: 'localhost:32000/doit:1.0.0', nodeBasename: 'doit', phxHost: ingress.host,
      secrets: ElixirSecrets.fromValues({ secretKeyBase: 'k'.repeat(64), releaseCookie: 'c'.repeat(32) }),
    });
    const env = find(synth(chart), 'Deployment', app.name).spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'PHX_HOST').value).toBe(find(synth(chart), 'Ingress', 'elixir').spec.rules[0].host);
    expect(setup().ingress.url).toBe('https://localhost');
    expectValid(chart);
  });

  describe('bad input fails at synth', () => {
    const cases: Array<[string, Partial<TlsIngressProps>, RegExp]> = [
      ['invalid hostname', { hosts: ['Doit_Example.com'] }, /"hosts\[0\]".*DNS host name/],
      ['hostname with scheme', { hosts: ['https://doit.example.com'] }, /hosts\[0\]/],
      ['IP address as host', { hosts: ['192.168.1.10'] }, /hosts\[0\].*cannot be IP addresses/],
      ['label over 63 characters', { hosts: [`${'a'.repeat(64)}.example.com`] }, /hosts\[0\]/],
      ['duplicate host', { hosts: ['a.example.com', 'a.example.com'] }, /each host once/],
      ['wildcard with HTTP-01', { hosts: ['*.example.com'], certificate: IngressCertificate.certManager({ clusterIssuer: 'le' }) }, /HTTP-01 cannot issue wildcard/],
      ['cert-manager without host', { certificate: IngressCertificate.certManager({ clusterIssuer: 'le' }) }, /cert-manager issues certificates for named hosts/],
      ['secret without host', { certificate: IngressCertificate.fromSecret('x') }, /certificate Secret names hosts/],
      ['self-signed CA without host', { certificate: IngressCertificate.selfSignedCa() }, /cert-manager issues certificates for named hosts/],
      ['unknown ACME challenge', { hosts: ['a.example.com'], certificate: IngressCertificate.certManager({ clusterIssuer: 'le', challenge: 'tls-alpn01' as 'http01' }) }, /certificate.challenge.*"http01", "dns01" or "none"/],
      ['both issuer kinds', { hosts: ['a.example.com'], certificate: IngressCertificate.certManager({ clusterIssuer: 'a', issuer: 'b' }) }, /exactly one of clusterIssuer or issuer/],
      ['backend without a port', { backend: { serviceName: 'web' } as IHttpBackend }, /"backend".*serviceName and servicePort/],
      ['bad body size', { maxBodySize: 'lots' }, /maxBodySize/],
      ['unknown controller', { controller: 'haproxy' as IngressController }, /"controller".*traefik, nginx/],
    ];
    test.each(cases)('%s', (_t, props, message) => {
      let error: unknown;
      try { setup(props); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(PropError);
      expect((error as Error).message).toMatch(/^doit\/Ingress: invalid prop/);
      expect((error as Error).message).toMatch(message);
    });

    test('wildcard is fine with a DNS-01 issuer', () => {
      expect(() => new TlsIngress(testChart('doit'), 'I', { backend: { serviceName: 'web', servicePort: 80 }, hosts: ['*.example.com'], certificate: IngressCertificate.certManager({ clusterIssuer: 'le-dns', challenge: 'dns01' }) })).not.toThrow();
      // an app behind it needs to be told which host browsers use: PHX_HOST cannot be a wildcard
      expect(() => setup({ hosts: ['*.example.com'], certificate: IngressCertificate.certManager({ clusterIssuer: 'le-dns', challenge: 'dns01' }) }))
        .toThrow(expect.objectContaining({ prop: 'phxHost', message: expect.stringMatching(/doit\/Elixir.*wildcard.*set phxHost/) }));
    });

    test('Traefik needs a namespaced chart', () => {
      expect(() => new TlsIngress(new Chart(Testing.app(), 'c'), 'I', { backend: { serviceName: 'web', servicePort: 80 } })).toThrow(/with a namespace/);
    });
  });
});

describe('TlsIngress public address (host-less, reached at a node IP)', () => {
  test('an IPv4 address: host-less Ingress, host and url are the address, so the app\'s PHX_HOST follows', () => {
    const { ingress, backend, manifests } = setup({ publicAddress: '192.168.1.50' });
    expect(ingress.host).toBe('192.168.1.50');
    expect(ingress.url).toBe('https://192.168.1.50');
    expect(traefik(manifests).spec.rules.every((r: any) => r.host === undefined)).toBe(true);
    backend.setPublicHost(ingress.host);
    expect(backend.publicHost).toBe('192.168.1.50');
  });

  test('an IPv6 address gets brackets in the URL; a name that is not in the Ingress is accepted too', () => {
    expect(setup({ publicAddress: 'fd00::50' }).ingress.url).toBe('https://[fd00::50]');
    expect(setup({ publicAddress: 'node1.lan' }).ingress.host).toBe('node1.lan');
  });

  test('refused: an address with hosts, a URL, a port', () => {
    expect(() => setup({ hosts: ['doit.example.com'], publicAddress: '192.168.1.50' })).toThrow(/prop "publicAddress" = "192.168.1.50": expected no publicAddress when hosts are given/);
    expect(() => setup({ publicAddress: 'https://192.168.1.50' })).toThrow(/expected an IP address \(e.g. "192.168.1.50"\) or a lower-case DNS name, without scheme or port/);
    expect(() => setup({ publicAddress: '192.168.1.50:443' })).toThrow(PropError);
  });
});

test('two Ingresses of one name in one namespace are refused, naming both', () => {
  const chart = testChart('doit');
  new TlsIngress(chart, 'A', { backend: { serviceName: 'web', servicePort: 80 }, hosts: ['a.example.com'] });
  expect(() => new TlsIngress(chart, 'B', { backend: { serviceName: 'web', servicePort: 80 }, hosts: ['b.example.com'] }))
    .toThrow(expect.objectContaining({ prop: 'name', message: expect.stringMatching(/test\/B.*Ingress "web".*test\/A/s) }));
  expect(() => new TlsIngress(chart, 'C', { backend: { serviceName: 'web', servicePort: 80 }, name: 'web-b', hosts: ['b.example.com'] })).not.toThrow();
});
