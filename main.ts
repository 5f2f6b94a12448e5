// The doit system for MicroK8s: `npm run synth` writes dist/, `microk8s kubectl apply -f dist/`.
// Configuration: doit.config.yaml and DOIT_* variables (README, "Configuration").
import { resolve } from 'path';
import { buildDoitStack, doitOutputFile, loadConfig, loadOrCreateSecrets, synthAtomically } from './lib';

try {
  const config = loadConfig();
  const secrets = config.secrets.mode === 'local-file' ? loadOrCreateSecrets(resolve(config.secrets.file)) : undefined;
  // dist/ only ever receives complete, validated output; the cdk8s CLI wipes its own output
  // directory (CDK8S_OUTDIR, .cdk8s/out) before each run, so it gets a copy.
  synthAtomically(process.env.DOIT_OUTDIR ?? 'dist', app => buildDoitStack(app, { config, secrets }), {
    mirrorTo: process.env.CDK8S_OUTDIR,
    fileFor: doitOutputFile,
    acceptReplacement: process.env.DOIT_ACCEPT_REPLACEMENT?.split(',').map(s => s.trim()).filter(Boolean) ?? [],
    pruneAllowlist: 'prune-allowlist.txt',
  });
} catch (e) {
  // Configuration, prop and validation errors say what to fix; a stack trace would only hide that.
  console.error(e instanceof Error && ['ConfigError', 'PropError', 'SecretsFileError', 'ValidationFailedError', 'ImmutableChangeError', 'OutputDirError'].includes(e.name) ? e.message : e);
  process.exit(1);
}
