/**
 * The API server as the oracle of our synth-time validation: fast-check generates objects with
 * values where the server validates beyond its schema (names per kind, labels, selectors,
 * ports, env names, Ingress rules, NetworkPolicy peers, quantities, probes, schedules), and
 * every case goes both through `validateManifests` and through a server-side dry-run create
 * on the real control plane, on every pinned Kubernetes version. Rules that are stricter on
 * purpose (STRICTER_THAN_SERVER) are expected to refuse what the server accepts; any other
 * disagreement fails with the shrunk counterexample and the seed.
 *
 * Budget: DIFFERENTIAL_RUNS cases per category and version (default 200: 3,400 per version);
 * DIFFERENTIAL_SEED replays a run (CI uses a fixed one). A larger campaign, with a new seed:
 * DIFFERENTIAL_RUNS=5000 npx jest differential
 */
import fc from 'fast-check';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { PropError, STRICTER_PROPS, STRICTER_THAN_SERVER, validate, validateManifests } from '../../lib/validation';
import { dryRunClient, DryRunClient } from '../../test/control-plane/api';
import { minorOf } from '../../test/control-plane/binaries';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { Case, CATEGORIES, NAMESPACE, PROP_CATEGORIES, PropCase } from './differential-cases';
import { RecordedVerdicts, RECORDED_VERDICTS, recordedCases } from '../validation/server-verdicts';

/** The STRICTER_PROPS entry of each prop category. */
const PROP_KEYS: Record<string, string> = {
  'ElixirDeployment labels': 'ElixirDeployment.labels',
  'ElixirDeployment env names': 'ElixirDeployment.env',
  'ElixirDeployment resources': 'ElixirDeployment.resources',
  'PostgresStatefulSet name': 'PostgresStatefulSet.name',
  'PostgresBackup schedule': 'PostgresBackup.schedule',
  'TlsIngress hosts': 'TlsIngress.hosts',
};
import { describeOnControlPlane } from './helpers';

const RUNS = Number(process.env.DIFFERENTIAL_RUNS ?? 200);
/** Seed of the recorded corpus (a new one only with a deliberate RECORD_VERDICTS=1 run). */
const RECORD_SEED = 20261130;
// CI replays one fixed seed (a red run is reproducible, and luck never blocks a landing); a
// local run draws a new one each time, which is how new counterexamples are found.
const SEED = Number(process.env.DIFFERENTIAL_SEED ?? (process.env.CI === 'true' ? 20261130 : Date.now() % 2 ** 31));

interface Outcome { readonly serverAccepts: boolean; readonly weAccept: boolean; readonly serverMessage: string; readonly ourRules: string[]; readonly ourMessages: string[] }

/** Our verdict: refused when a rule that claims to agree with the server reports an error. */
function ours(object: any, kubernetesMinor: number): { accepts: boolean; rules: string[]; messages: string[] } {
  const errors = validateManifests([{ manifest: object, constructPath: 'differential/Object' }], { kubernetesMinor }).findings
    .filter(f => f.severity === 'error' && !(f.rule in STRICTER_THAN_SERVER));
  return { accepts: errors.length === 0, rules: [...new Set(errors.map(f => f.rule))], messages: errors.map(f => `${f.rule} ${f.path}: ${f.message}`) };
}

async function judge(client: DryRunClient, c: Case, kubernetesMinor: number): Promise<Outcome> {
  const server = await client.create(c.object);
  if (server.status >= 500 || server.status === 401 || server.status === 403 || server.status === 404) {
    throw new Error(`the server could not judge ${JSON.stringify(c.input)}: ${server.status} ${server.message}`);
  }
  const we = ours(c.object, kubernetesMinor);
  return { serverAccepts: server.accepted, weAccept: we.accepts, serverMessage: server.message, ourRules: we.rules, ourMessages: we.messages };
}

describeOnControlPlane('differential validation', (cp, version) => {
  let client: DryRunClient;
  const tally: Record<string, { cases: number; accepted: number; agree: number; serverOnly: number; oursOnly: number }> = {};

  beforeAll(() => {
    cp().kubectl(['create', 'namespace', NAMESPACE]);
    client = dryRunClient(cp().kubeconfig);
  });

  afterAll(() => {
    const rows = Object.entries(tally).sort(([a], [b]) => a.localeCompare(b))
      .map(([k, t]) => `  ${k.padEnd(28)} ${String(t.cases).padStart(5)} cases (${String(t.accepted).padStart(5)} accepted by the server)  ${String(t.agree).padStart(5)} agree  ${String(t.serverOnly).padStart(4)} refused only by the server  ${String(t.oursOnly).padStart(4)} only by us`);
    const total = Object.values(tally).reduce((s, t) => s + t.cases, 0);
    console.log(`differential validation, Kubernetes v${version}, seed ${SEED}, ${total} cases (DIFFERENTIAL_SEED=${SEED} replays):\n${rows.join('\n')}`);
  });

  // The recorded verdicts that __tests__/validation/server-verdicts.test.ts replays in-process
  // (and mutation testing with it): still the server's, or rewritten with RECORD_VERDICTS=1.
  test('the recorded server verdicts are still the server\'s', async () => {
    const file = join(__dirname, '..', 'validation', RECORDED_VERDICTS);
    const recorded: RecordedVerdicts = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { seed: 0, cases: [] };
    if (process.env.RECORD_VERDICTS === '1') {
      const cases = recorded.cases.length > 0 && recorded.seed === RECORD_SEED ? recorded.cases : recordedCases(RECORD_SEED);
      for (const c of cases) c.accepted[version] = (await client.create(c.object)).accepted;
      writeFileSync(file, `${JSON.stringify({ seed: RECORD_SEED, cases }, null, 1)}\n`);
      return;
    }
    expect(recorded.cases.length).toBeGreaterThan(0);
    const stale: string[] = [];
    for (const c of recorded.cases) {
      const accepted = (await client.create(c.object)).accepted;
      if (c.accepted[version] !== accepted) stale.push(`${c.category} ${JSON.stringify(c.input)}: recorded ${c.accepted[version]}, the server says ${accepted}`);
    }
    expect(stale).toEqual([]);
  }, 600_000);

  test.each(PROP_CATEGORIES.map(c => [c.name, c] as const))('%s (construct prop): it never accepts what the server refuses, and refuses more only where STRICTER_PROPS says', async (_name, category) => {
    const prop = PROP_KEYS[category.name];
    const judgeProp = async (c: PropCase) => {
      const chart = new Chart(Testing.app(), 'diff', { namespace: NAMESPACE });
      let propError: string | undefined;
      try { c.build(chart); } catch (e) { if (e instanceof PropError) propError = e.message; else throw e; }
      const objects = propError === undefined ? chart.node.findAll().filter((o): o is ApiObject => o instanceof ApiObject).map(o => o.toJson()) : c.twins;
      const verdicts = await Promise.all(objects.map(o => client.create(o)));
      const refused = verdicts.find(v => !v.accepted);
      const parity = propError === undefined
        ? validate(chart, { kubernetesMinor: minorOf(version) }).findings.filter(f => f.severity === 'error' && !(f.rule in STRICTER_THAN_SERVER)) : [];
      const weAccept = propError === undefined && parity.length === 0;
      const t = (tally[c.category] ??= { cases: 0, accepted: 0, agree: 0, serverOnly: 0, oursOnly: 0 });
      t.cases++;
      if (!refused) t.accepted++;
      if (weAccept === !refused) t.agree++; else if (weAccept) t.serverOnly++; else t.oursOnly++;
      if (weAccept && refused) throw new Error(`${c.category} ${JSON.stringify(c.input)}: the construct accepts it, the server refuses its output (${refused.message})`);
      if (!weAccept && !refused && !(propError && prop in STRICTER_PROPS)) {
        throw new Error(`${c.category} ${JSON.stringify(c.input)}: the server accepts, we refuse (${propError ?? parity.map(f => `${f.rule}: ${f.message}`).join('; ')})`);
      }
    };
    await fc.assert(fc.asyncProperty(category.arbitrary, judgeProp), { numRuns: RUNS, seed: SEED });
  }, 600_000);

  test.each(CATEGORIES.map(c => [c.name, c] as const))('%s: our verdict is the server\'s', async (_name, category) => {
    // Every case, counted (a report of where we stand), then the property, which shrinks the
    // first disagreement to a minimal counterexample.
    const cases = fc.sample(category.arbitrary, { numRuns: RUNS, seed: SEED });
    for (const c of cases) {
      const o = await judge(client, c, minorOf(version));
      const t = (tally[c.category] ??= { cases: 0, accepted: 0, agree: 0, serverOnly: 0, oursOnly: 0 });
      t.cases++;
      if (o.serverAccepts) t.accepted++;
      if (o.serverAccepts === o.weAccept) t.agree++;
      else if (o.weAccept) t.serverOnly++;
      else t.oursOnly++;
    }
    await fc.assert(fc.asyncProperty(category.arbitrary, async c => {
      const o = await judge(client, c, minorOf(version));
      if (o.serverAccepts !== o.weAccept) {
        throw new Error(`${c.category} ${JSON.stringify(c.input)}: the server ${o.serverAccepts ? 'accepts' : `refuses (${o.serverMessage})`}, we ${o.weAccept ? 'accept' : `refuse (${o.ourMessages.join('; ')})`}`);
      }
    }), { numRuns: RUNS, seed: SEED });
  }, 600_000);
});
