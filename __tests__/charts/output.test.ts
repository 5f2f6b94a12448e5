import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { synthAtomically, ValidationFailedError } from '../../lib/charts/output';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'out-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cm = (chart: Chart, name: string) => new ApiObject(chart, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

describe('synthAtomically', () => {
  test('charts in creation order, objects in dependency order, same YAML as cdk8s', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => {
      const chart = new Chart(app, '00-first');
      const b = cm(chart, 'b');
      const a = cm(chart, 'a');
      b.addDependency(a);
      cm(new Chart(app, '01-second'), 'c');
    }, { validate: false });
    expect(readdirSync(out)).toEqual(['00-first.k8s.yaml', '01-second.k8s.yaml']);
    expect(readFileSync(join(out, '00-first.k8s.yaml'), 'utf8')).toBe('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
  });

  test('a chart without objects writes no file', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => { new Chart(app, 'empty'); cm(new Chart(app, 'one'), 'a'); }, { validate: false });
    expect(readdirSync(out)).toEqual(['one.k8s.yaml']);
  });

  test('writes the charts and removes files of charts that are gone', () => {
    const out = join(dir, 'dist');
    mkdirSync(out);
    writeFileSync(join(out, 'stale.k8s.yaml'), 'kind: ConfigMap\n');
    synthAtomically(out, app => cm(new Chart(app, 'one'), 'a'), { validate: false });
    expect(readdirSync(out)).toEqual(['one.k8s.yaml']);
    expect(readdirSync(dir)).toEqual(['dist']); // no staging left behind
  });

  test('a failing build leaves the previous output byte-identical and no staging dir', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => cm(new Chart(app, 'one'), 'a'), { validate: false });
    const before = readFileSync(join(out, 'one.k8s.yaml'), 'utf8');
    expect(() => synthAtomically(out, app => {
      cm(new Chart(app, 'two'), 'b');
      throw new Error('bad prop');
    })).toThrow('bad prop');
    expect(readdirSync(out)).toEqual(['one.k8s.yaml']);
    expect(readFileSync(join(out, 'one.k8s.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['dist']);
  });

  test('validation errors stop the write: the report is the error, the previous output stays', () => {
    const out = join(dir, 'dist');
    synthAtomically(out, app => cm(new Chart(app, 'one'), 'a'), { validate: false });
    const before = readFileSync(join(out, 'one.k8s.yaml'), 'utf8');
    let error: unknown;
    try {
      synthAtomically(out, app => new ApiObject(new Chart(app, 'one'), 'svc', {
        apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'x' }, spec: { selector: { app: 'none' }, ports: [{ port: 80 }] },
      }));
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as Error).message).toMatch(/ERROR \[service-selector\] Service\/x\/web[\s\S]*Nothing was written/);
    expect(readFileSync(join(out, 'one.k8s.yaml'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['dist']);
  });

  test('mirrors into the CLI directory and makes secret files private', () => {
    const out = join(dir, 'dist');
    const mirror = join(dir, 'cli');
    synthAtomically(out, app => cm(new Chart(app, 'my-secrets'), 'a'), { mirrorTo: mirror, validate: false });
    expect(readdirSync(mirror)).toEqual(['construct-metadata.json', 'my-secrets.k8s.yaml']);
    expect(JSON.parse(readFileSync(join(mirror, 'construct-metadata.json'), 'utf8')).resources.a.path).toBe('my-secrets/a');
    // dist/ holds only manifests: kubectl apply -f dist/ would fail on the metadata JSON
    expect(readdirSync(out)).toEqual(['my-secrets.k8s.yaml']);
    expect(statSync(join(out, 'my-secrets.k8s.yaml')).mode & 0o777).toBe(0o600);
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
