// Shared by the diagram tests: the default doit stack's manifests, and reading drawn flows back.
import { Testing } from 'cdk8s';
import { buildDoitStack, loadConfig } from '../../../app';
import { FAKE_SECRETS as FAKE } from '../../fixtures/secrets';
import { ANYWHERE, DiagramModel, expandEnd } from '../../../tools/diagram/model';
import { Endpoint } from '../../../tools/diagram/policy';
import { contains, parsePorts, PortSet } from '../../../tools/diagram/ports';
import { canConnect, Peer } from '../../network/evaluator';
import { Manifest } from '../../util';


/** Every object of the doit stack (all charts) for a configuration, as `npm run synth` writes them. */
export function doitManifests(env: Record<string, string> = {}): Manifest[] {
  const app = Testing.app();
  buildDoitStack(app, { config: loadConfig({ env, cwd: __dirname }), secrets: FAKE });
  return app.charts.flatMap(c => c.toJson()) as Manifest[];
}

/** A drawn flow, read back: from/to as drawn (maybe `namespace:<ns>`), ports parsed from the label. */
export interface DrawnFlow { readonly from: string; readonly to: string; readonly ports: PortSet }

/** The flow edges of a Graphviz SVG (their ids are `flow|<from>|<to>|<ports>`). */
/** Text as it was before Graphviz escaped it for SVG. */
export const unescapeSvg = (s: string) => s.replace(/&#45;/g, '-').replace(/&#160;/g, '\u00a0').replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&quot;/g, '"').replace(/&#39;/g, '\'').replace(/&amp;/g, '&');

export function flowsInSvg(svg: string): DrawnFlow[] {
  const unescape = unescapeSvg;
  return [...svg.matchAll(/<g id="(flow\|[^"]*)" class="edge">/g)].map(m => {
    const [, from, to, ports] = unescape(m[1]).split('|');
    return { from, to, ports: parsePorts(ports) };
  });
}

/** The evaluator's view of a diagram endpoint. */
export function asPeer(e: Endpoint): Peer {
  if (e.kind === 'anywhere') return { anywhere: true };
  if (e.kind === 'ip') return { ip: e.cidr, except: e.except };
  return { ns: e.namespace, labels: { ...e.labels }, nsLabels: { ...e.nsLabels }, ports: e.ports };
}

/** Whether the drawing says `from` may open `port` on `to`: a flow between them (or their
 *  namespaces), or both `from → anywhere` and `anywhere → to` (an open outside endpoint has both). */
export function drawnAllows(model: DiagramModel, drawn: readonly DrawnFlow[], from: string, to: string, protocol: string, port: number): boolean {
  const direct = (a: string, b: string) => drawn.some(f => expandEnd(model, f.from).includes(a) && expandEnd(model, f.to).includes(b) && contains(f.ports, protocol, port));
  const open = (id: string) => model.externals.some(e => e.id === id && e.open);
  if (direct(from, to)) return true;
  if (from === ANYWHERE || to === ANYWHERE) return open(from) && open(to);
  return (open(from) || direct(from, ANYWHERE)) && (open(to) || direct(ANYWHERE, to));
}

/** Ports worth asking about: every port the manifests name, its neighbours, and a few others. */
export function probePorts(manifests: readonly Manifest[]): Array<[string, number]> {
  const numbers = new Set<number>([1, 22, 53, 80, 443, 8080, 65535]);
  const walk = (v: any): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (['port', 'endPort', 'containerPort', 'targetPort', 'nodePort'].includes(k) && typeof x === 'number') [x - 1, x, x + 1].forEach(n => numbers.add(n));
        walk(x);
      }
    }
  };
  walk(manifests);
  return ['TCP', 'UDP', 'SCTP'].flatMap(p => [...numbers].filter(n => n >= 1 && n <= 65535).map(n => [p, n] as [string, number]));
}

/** Every (from, to, protocol, port) where the drawing and the evaluator disagree (none: they agree). */
export function disagreements(model: DiagramModel, drawn: readonly DrawnFlow[], manifests: readonly Manifest[]): string[] {
  const policies = manifests.filter(m => m.kind === 'NetworkPolicy');
  const ids = [...model.endpoints.keys()];
  const open = new Set(model.externals.filter(e => e.open).map(e => e.id));
  const out: string[] = [];
  for (const from of ids) for (const to of ids) {
    if (open.has(from) && open.has(to)) continue; // between outside endpoints: the drawing does not say
    for (const [protocol, port] of probePorts(manifests)) {
      const truth = canConnect(policies as Manifest[], asPeer(model.endpoints.get(from)!), asPeer(model.endpoints.get(to)!), port, protocol);
      if (truth !== drawnAllows(model, drawn, from, to, protocol, port)) out.push(`${from} → ${to} ${port}/${protocol}: evaluator ${truth ? 'allows' : 'denies'}`);
    }
  }
  return out;
}
