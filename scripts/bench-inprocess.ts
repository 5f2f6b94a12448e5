// One in-process measurement (run by scripts/bench.ts in a fresh process each, so peak memory
// is this measurement's own): N copies of the full default doit stack in one App, distinct
// namespaces, synthesized to a temporary directory with validation on or off.
// Usage: node -r sucrase/register/ts scripts/bench-inprocess.ts <copies> <on|off> [repeat]
// With repeat > 1 the synth runs that many times in the same process and the median is
// reported: the steady state (modules and schemas loaded), as in a test suite or watch loop.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App } from 'cdk8s';
import { buildDoitStack, DoitSecretValues, loadConfig, synthAtomically } from '../app';
import { validate as validateApp } from '../lib';

const copies = Number(process.argv[2] ?? 1);
const validate = process.argv[3] !== 'off';
const repeat = Number(process.argv[4] ?? 1);
// fixed, obviously fake values: the benchmark must not write a secrets file
const secrets: DoitSecretValues = {
  postgresPassword: 'bench'.repeat(9), postgresSuperuserPassword: 'bench-su'.repeat(6), secretKeyBase: 'bench'.repeat(18), releaseCookie: 'bench'.repeat(9), registryHttpSecret: 'bench'.repeat(13), registryPassword: 'bench-registry'.repeat(3),
};
const configs = Array.from({ length: copies }, (_, i) => loadConfig({
  env: { DOIT_NAMESPACE: `doit-${i}`, DOIT_REGISTRY_NODE_PORT: String(30000 + (i % 2768)) }, cwd: tmpdir(),
}));
const out = mkdtempSync(join(tmpdir(), 'bench-'));
try {
  const times: number[] = [];
  let objects = 0;
  let last: App | undefined;
  for (let r = 0; r < repeat; r++) {
    const start = process.hrtime.bigint();
    const app = synthAtomically(join(out, 'dist'), a => {
      configs.forEach((config, i) => buildDoitStack(a, { config, secrets, prefix: copies > 1 ? `s${i}` : undefined }));
    }, { validate });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    objects = app.node.findAll().filter(c => (c as { kind?: unknown }).kind !== undefined && 'apiVersion' in c).length;
    last = app;
  }
  const median = (f: () => void) => {
    const xs = Array.from({ length: repeat }, () => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e6; });
    return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  };
  // warm: validation alone = validate() (renders, then validates) minus rendering alone
  const objs = last!.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const validationOnlyMs = repeat > 1 ? median(() => validateApp(last!)) - median(() => objs.map(o => o.toJson())) : undefined;
  const ms = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  console.log(JSON.stringify({ copies, validate, repeat, ms, msPerStack: ms / copies, objects, validationOnlyMs, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
} finally {
  rmSync(out, { recursive: true, force: true });
}
