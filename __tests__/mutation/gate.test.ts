/** The mutation-score gate (test/mutation/score.ts) and the test selection of the mutation jest runner. */
import { BELOW_TARGET, checkGate, GATE, GateRule, MutantStatus, MutationReport, score, scoresByFile } from '../../test/mutation/score';

const file = (...statuses: MutantStatus[]) => ({ mutants: statuses.map(status => ({ status })) });
const times = (n: number, s: MutantStatus) => Array<MutantStatus>(n).fill(s);

describe('score', () => {
  test("Stryker's: detected over detected + undetected; errors and ignored do not count", () => {
    expect(score(['Killed', 'Timeout', 'Survived', 'NoCoverage'])).toEqual({ detected: 2, undetected: 2, invalid: 0, ignored: 0, score: 50 });
    expect(score(['Killed', 'CompileError', 'RuntimeError', 'Ignored']).score).toBe(100);
    expect(score(['Ignored']).score).toBeUndefined();
    expect(score([...times(9, 'Killed'), 'Survived']).score).toBe(90);
  });

  test('per file, sorted, with forward slashes', () => {
    const report: MutationReport = { files: { 'lib\\b.ts': file('Killed'), 'lib/a.ts': file('Survived') } };
    expect([...scoresByFile(report).keys()]).toEqual(['lib/a.ts', 'lib/b.ts']);
    expect(checkGate({ files: { 'lib\\validation\\a.ts': file('Killed') } }, [GATE[0]], {})[0]).toMatchObject({ subject: 'lib/validation/', score: 100, ok: true });
  });
});

describe('gate', () => {
  const report = (files: Record<string, MutantStatus[]>): MutationReport => ({ files: Object.fromEntries(Object.entries(files).map(([f, s]) => [f, file(...s)])) });

  test('lib/validation/ as a whole at 90%, each construct file at 85%', () => {
    // the targets themselves, without today's floors
    const ok = checkGate(report({
      'lib/validation/a.ts': [...times(8, 'Killed'), 'Survived'], // 88.9 alone
      'lib/validation/b.ts': times(11, 'Killed'), // together 95
      'lib/elixir/elixir-deployment.ts': [...times(17, 'Killed'), ...times(3, 'Survived')], // 85
      'lib/common/labels.ts': ['Survived'], // not gated
    }), GATE, {});
    expect(ok.map(r => [r.subject, r.ok])).toEqual([['lib/validation/', true], ['lib/elixir/elixir-deployment.ts', true]]);
    const bad = checkGate(report({
      'lib/validation/a.ts': [...times(8, 'Killed'), ...times(2, 'NoCoverage')],
      'lib/postgres/backup.ts': [...times(5, 'Killed'), 'Survived'],
      'lib/network/phoenix-network-policies.ts': times(3, 'Killed'),
    }), GATE, {});
    expect(bad.filter(r => !r.ok).map(r => r.subject)).toEqual(['lib/validation/', 'lib/postgres/backup.ts']);
  });

  test('a subject below its target is held at its floor, never above the target', () => {
    const r = report({ 'lib/validation/a.ts': [...times(8, 'Killed'), ...times(2, 'Survived')], 'lib/registry/x.ts': [...times(4, 'Killed'), 'Survived'] });
    const floors = { 'lib/validation/': { floor: 80 }, 'lib/registry/x.ts': { floor: 81 } };
    expect(checkGate(r, GATE, floors).map(g => [g.subject, g.minimum, g.target, g.ok])).toEqual([['lib/validation/', 80, 90, true], ['lib/registry/x.ts', 81, 85, false]]);
    expect(checkGate(r, GATE, { 'lib/registry/x.ts': { floor: 95 } })[1].minimum).toBe(85);
  });

  test('a rule whose files are missing from the report fails (a gate that checked nothing)', () => {
    const results = checkGate(report({ 'lib/elixir/elixir-deployment.ts': ['Killed'] }), GATE, {});
    expect(results.find(r => r.rule === 'lib/validation/')).toMatchObject({ ok: false, score: undefined });
  });

  test('a construct file with nothing to test passes; an aggregate with nothing valid fails', () => {
    const rules: GateRule[] = [{ name: 'each', files: () => true, minimum: 85, aggregate: false }, { name: 'all', files: () => true, minimum: 85, aggregate: true }];
    expect(checkGate(report({ 'lib/x.ts': ['Ignored'] }), rules).map(r => r.ok)).toEqual([true, false]);
  });

  test('today\'s floors are below their targets and say why', () => {
    for (const [subject, { floor, why }] of Object.entries(BELOW_TARGET)) {
      const rule = GATE.find(r => r.name === subject || (!r.aggregate && r.files(subject)))!;
      expect(floor).toBeLessThan(rule.minimum);
      expect(why.length).toBeGreaterThan(20);
    }
  });

  test('the project gate names the thresholds of issue 16', () => {
    expect(GATE.map(r => [r.name, r.minimum, r.aggregate])).toEqual([['lib/validation/', 90, true], ['construct files', 85, false]]);
    for (const f of ['lib/elixir/x.ts', 'lib/postgres/x.ts', 'lib/ingress/x.ts', 'lib/registry/x.ts', 'lib/network/x.ts']) expect(GATE[1].files(f)).toBe(true);
    expect(GATE[1].files('lib/validation/props.ts')).toBe(false);
  });
});

describe('mutation jest runner: test selection', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = () => { jest.resetModules(); return require('../../test/mutation/jest-runner.js').selectTests as (t: any[], p?: string) => any[]; };
  const test_ = (path: string) => ({ path: `/root/${path}`, context: { config: { rootDir: '/root' } } });
  const tests = [test_('a.test.ts'), test_('b.test.ts'), test_('new.test.ts')];
  let saved: string | undefined;
  beforeEach(() => { saved = process.env.MUTATION_TEST_NAMES; });
  afterEach(() => { if (saved === undefined) delete process.env.MUTATION_TEST_NAMES; else process.env.MUTATION_TEST_NAMES = saved; });

  test('files holding a matching test, files it does not know, fastest first; everything when unsure', () => {
    const { mkdtempSync, writeFileSync, rmSync } = jest.requireActual('fs');
    const { join } = jest.requireActual('path');
    const { tmpdir } = jest.requireActual('os');
    const dir = mkdtempSync(join(tmpdir(), 'names-'));
    try {
      const names = join(dir, 'names.json');
      writeFileSync(names, JSON.stringify({ 'a.test.ts': { names: ['suite checks x'], ms: 900 }, 'b.test.ts': { names: ['other [0] thing'], ms: 10 } }));
      process.env.MUTATION_TEST_NAMES = names;
      const select = load();
      const paths = (p?: string) => select([...tests], p).map(t => t.path.slice(6));
      expect(paths('(suite checks x)')).toEqual(['a.test.ts', 'new.test.ts']);
      expect(paths('(other \\[0\\] thing)|(suite checks x)')).toEqual(['b.test.ts', 'a.test.ts', 'new.test.ts']);
      expect(paths(undefined)).toEqual(['b.test.ts', 'a.test.ts', 'new.test.ts']);
      expect(select([tests[0], tests[1]], '(nothing matches)').map(t => t.path.slice(6))).toEqual(['b.test.ts', 'a.test.ts']);
      delete process.env.MUTATION_TEST_NAMES;
      expect(load()([...tests], '(suite checks x)')).toEqual(tests);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
