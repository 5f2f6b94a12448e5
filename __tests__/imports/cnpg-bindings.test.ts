// imports/postgresql.cnpg.io.ts is what `cdk8s import` makes of CloudNativePG's CRDs (the command
// in scripts/import-cnpg.ts), and its classes synthesize the operator's kinds.
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { Cluster, Database } from '../../imports/postgresql.cnpg.io';
import { CNPG_CRD_FILES, DEFAULT_CNPG_CRD_DIR, generateCnpgBindings } from '../../scripts/import-cnpg';

const COMMITTED = join(__dirname, '..', '..', 'imports', 'postgresql.cnpg.io.ts');
const originals = CNPG_CRD_FILES.every(f => existsSync(join(DEFAULT_CNPG_CRD_DIR, f)));
if (process.env.CI === 'true' && existsSync(join(DEFAULT_CNPG_CRD_DIR, '..', '..')) && !originals) {
  throw new Error(`../shared is here but ${DEFAULT_CNPG_CRD_DIR} lacks ${CNPG_CRD_FILES.join(', ')}: the bindings cannot be cross-checked`);
}

// The CRDs are reference data of this repository's CI, not something users have.
(originals ? test : test.skip)('the committed bindings are what cdk8s import generates from the CloudNativePG 1.29.2 CRDs', () => {
  expect(generateCnpgBindings(DEFAULT_CNPG_CRD_DIR) === readFileSync(COMMITTED, 'utf8')).toBe(true);
}, 120_000);

test('Cluster and Database synthesize as postgresql.cnpg.io/v1 objects', () => {
  const chart = Testing.chart();
  new Cluster(chart, 'c', { metadata: { name: 'db' }, spec: { instances: 3, storage: { size: '5Gi' } } });
  new Database(chart, 'd', { metadata: { name: 'db-blog' }, spec: { name: 'blog', owner: 'blog', cluster: { name: 'db' } } });
  expect(Testing.synth(chart).map(m => [m.apiVersion, m.kind, m.metadata.name, m.spec])).toEqual([
    ['postgresql.cnpg.io/v1', 'Cluster', 'db', { instances: 3, storage: { size: '5Gi' } }],
    ['postgresql.cnpg.io/v1', 'Database', 'db-blog', { name: 'blog', owner: 'blog', cluster: { name: 'db' } }],
  ]);
});
