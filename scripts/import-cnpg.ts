// npm run import:cnpg [-- CRD_DIR]: regenerates imports/postgresql.cnpg.io.ts, the typed bindings
// of CloudNativePG's Cluster and Database, with `cdk8s import` from the operator's CRD YAML
// (config/crd/bases of a cloudnative-pg tag; default ../shared/crds/cloudnative-pg-v1.29.2, the
// newest version this project supports: the oldest, 1.23.3, has no Database). Offline: the CRDs
// are files. The committed file is exactly what this prints (a test regenerates and compares).
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

/** The CRDs whose kinds the constructs emit. */
export const CNPG_CRD_FILES = ['postgresql.cnpg.io_clusters.yaml', 'postgresql.cnpg.io_databases.yaml'];
export const DEFAULT_CNPG_CRD_DIR = resolve(__dirname, '..', '..', 'shared', 'crds', 'cloudnative-pg-v1.29.2');

/** The bindings `cdk8s import` generates from the CRDs in `crdDir`. */
export function generateCnpgBindings(crdDir: string): string {
  const work = mkdtempSync(join(tmpdir(), 'import-cnpg-'));
  try {
    // One file with both CRDs, so that one import writes one module with both kinds.
    const crds = join(work, 'cnpg.yaml');
    writeFileSync(crds, CNPG_CRD_FILES.map(f => readFileSync(join(crdDir, f), 'utf8')).join('\n---\n'));
    execFileSync(join(__dirname, '..', 'node_modules', '.bin', 'cdk8s'), ['import', crds, '--language', 'typescript', '--output', join(work, 'imports'), '--no-check-upgrade'],
      { cwd: work, stdio: 'pipe', timeout: 120_000 });
    return readFileSync(join(work, 'imports', 'postgresql.cnpg.io.ts'), 'utf8');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const out = join(__dirname, '..', 'imports', 'postgresql.cnpg.io.ts');
  writeFileSync(out, generateCnpgBindings(resolve(process.argv[2] ?? DEFAULT_CNPG_CRD_DIR)));
  console.log(`wrote imports/postgresql.cnpg.io.ts from ${process.argv[2] ?? DEFAULT_CNPG_CRD_DIR}`);
}
