import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { synthAtomically } from '../../lib/charts/output';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'out-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cm = (chart: Chart, name: string) => new ApiObject(chart, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

describe('synthAtomically', () => {
  test('writes the charts and removes files of charts that are gone', () => {
    const out = join(dir, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'stale.k8s.yaml'), 'kind: ConfigMap\n');
    synthAtomically(out, app => cm(new Chart(app, 'one'), 'a'));
    expect(readdirSync(out)).toEqual(['one.k8s.yaml']);
    expect(readdirSync(dir)).toEqual(['dist']); // no staging left behind
  });

  test('a failing build leaves the previous output byte-identical and no staging dir', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => cm(new Chart(app, 'one'), 'a'));
    const before = readFileSync(join(out, 'one.k8s.yaml'), 'utf8');
    expect(() => synthAtomically(out, app => {
      cm(new Chart(app, 'two'), 'b');
      throw new Error('bad prop');
    })).toThrow('bad prop');
    expect(readdirSync(out)).toEqual(['one.k8s.yaml']);
    expect(readFileSync(join(out, 'one.k8s.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['dist']);
  });

  test('a failure inside synth (construct validation) also leaves nothing', () => {
    const out = join(dir, 'dist');
    expect(() => synthAtomically(out, app => {
      const chart = new Chart(app, 'one');
      chart.node.addValidation({ validate: () => ['broken'] });
    })).toThrow(/broken/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
