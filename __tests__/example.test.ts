/**
 * examples/shop consumes this library as a package (installed by path as a packed copy) and
 * synthesizes with its own cdk8s CLI and our validation plugin, as a user's project would.
 * `npm test` compiles dist-lib/ before jest runs, so the packed copy is current.
 */
import { execFileSync } from 'child_process';
import { readFileSync, rmSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';

const example = join(__dirname, '..', 'examples', 'shop');
// What the test writes into the example project (both git-ignored) goes again afterwards.
afterAll(() => {
  rmSync(join(example, 'node_modules'), { recursive: true, force: true });
  rmSync(join(example, 'dist'), { recursive: true, force: true });
});

test('the example consumer project installs the library by path and synthesizes', () => {
  rmSync(join(example, 'node_modules'), { recursive: true, force: true });
  rmSync(join(example, 'dist'), { recursive: true, force: true });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: example, stdio: 'pipe', timeout: 180_000 });
  const out = execFileSync('npm', ['run', 'synth'], { cwd: example, encoding: 'utf8', stdio: 'pipe', timeout: 60_000 });
  expect(out).toMatch(/Validation of \d+ objects: 0 error\(s\)/);
  const docs = parseAllDocuments(readFileSync(join(example, 'dist', 'shop.k8s.yaml'), 'utf8')).map(d => d.toJS());
  const dep = docs.find(d => d.kind === 'Deployment' && d.metadata.name === 'shop');
  expect(dep.spec.template.spec.containers[0].env.find((e: any) => e.name === 'PHX_HOST').value).toBe('shop.example.com');
  expect(docs.find(d => d.kind === 'Job')?.metadata.name).toMatch(/^shop-migrate-[0-9a-f]{10}$/);
}, 240_000);
