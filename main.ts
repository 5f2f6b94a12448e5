// The doit system for MicroK8s: `npm run synth` writes dist/, `microk8s kubectl apply -f dist/`.
// Configuration: doit.config.yaml and DOIT_* variables (README, "Configuration").
import { resolve } from 'path';
import { buildDoitStack, checkSecretsFileLocation, configWarnings, DoitSecretValues, doitOutputFile, loadConfig, loadOrCreateSecrets, synthAtomically } from './app';

try {
  const config = loadConfig();
  for (const warning of configWarnings(config)) console.warn(`warning: ${warning}`);
  const outdir = process.env.DOIT_OUTDIR ?? 'dist';
  let secrets: DoitSecretValues | undefined;
  if (config.secrets.mode === 'local-file') {
    // Never where synth (or the CLI) deletes it: new passwords would lock the app out.
    checkSecretsFileLocation(config.secrets.file, { outdirs: [outdir], wipedDirs: process.env.CDK8S_OUTDIR ? [process.env.CDK8S_OUTDIR] : [] });
    secrets = loadOrCreateSecrets(resolve(config.secrets.file));
  }
  // dist/ only ever receives complete, validated output; the cdk8s CLI wipes its own output
  // directory (CDK8S_OUTDIR, .cdk8s/out) before each run, so it gets a copy: without the
  // Secrets (`cdk8s synth --stdout` prints that copy) unless DOIT_MIRROR_SECRETS=1.
  synthAtomically(outdir, app => buildDoitStack(app, { config, secrets }), {
    mirrorTo: process.env.CDK8S_OUTDIR,
    mirrorSecrets: process.env.DOIT_MIRROR_SECRETS === '1',
    fileFor: doitOutputFile,
    kubernetesMinor: Number(config.kubernetesVersion.split('.')[1]),
    acceptReplacement: process.env.DOIT_ACCEPT_REPLACEMENT?.split(',').map(s => s.trim()).filter(Boolean) ?? [],
    pruneAllowlist: 'prune-allowlist.txt',
  });
} catch (e) {
  // Configuration, prop and validation errors say what to fix; a stack trace would only hide that.
  console.error(e instanceof Error && ['ConfigError', 'PropError', 'SecretsFileError', 'ValidationFailedError', 'ImmutableChangeError', 'OutputDirError'].includes(e.name) ? e.message : e);
  process.exit(1);
}
