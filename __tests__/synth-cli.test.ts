/**
 * The real `cdk8s synth` (the project's cdk8s-cli, the app command from cdk8s.yaml) on the
 * default app, into a temporary directory.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';

const root = join(__dirname, '..');
const cdk8s = join(root, 'node_modules', '.bin', 'cdk8s');

describe('cdk8s synth (real CLI)', () => {
  let out: string;
  beforeAll(() => { out = mkdtempSync(join(tmpdir(), 'synth-')); });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('writes dist/*.k8s.yaml with a Postgres StatefulSet', () => {
    execFileSync(cdk8s, ['synth', '--no-check-upgrade', '--output', out], { cwd: root, stdio: 'pipe' });
    const files = readdirSync(out).filter(f => f.endsWith('.k8s.yaml'));
    expect(files.length).toBeGreaterThan(0);
    const docs = files.flatMap(f => parseAllDocuments(readFileSync(join(out, f), 'utf8')).map(d => d.toJS()));
    const sts = docs.find(d => d.kind === 'StatefulSet' && d.metadata.name === 'postgres');
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('microk8s-hostpath');
  });
});
