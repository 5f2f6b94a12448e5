// `npm run diagram -- [manifest dirs or files] [--out DIR] [--name NAME] [--format svg,png,text,dot]`
// (`microk8s-phoenix-diagram …` in a project that installed the package). Reads synthesized
// manifests (dist/ by default, or anyone's), writes NAME.svg and NAME.png into DIR (nothing else
// is touched there), or prints the text form.
import { mkdirSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { toDot } from './dot';
import { DiagramInputError, readManifests } from './manifests';
import { buildModel } from './model';
import { dotToSvg, MAX_PNG_SIDE, MissingRendererError, pngScale, svgToPng } from './render';
import { toText } from './text';

const FORMATS = ['svg', 'png', 'text', 'dot'] as const;
type Format = typeof FORMATS[number];

export interface DiagramOptions {
  readonly inputs: readonly string[];
  readonly out: string;
  readonly name: string;
  readonly formats: readonly Format[];
  readonly title?: string;
  readonly scale: number;
  /** The namespace of objects that name none, as `kubectl apply -n` would put them. */
  readonly namespace: string;
}

const USAGE = `usage: npm run diagram -- [PATH...] [--out DIR] [--name NAME] [--format svg,png,text,dot] [--title TEXT] [--scale N] [--namespace NS]
  PATH        manifest directories or files (default: dist)
  --out       where NAME.svg, NAME.png and NAME.dot go (default: diagram)
  --format    what to produce (default: svg,png); text prints to the terminal
  --namespace where objects without one go, as with kubectl apply -n (default: default)`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[]): DiagramOptions {
  const inputs: string[] = [];
  let out = 'diagram', name = 'stack', title: string | undefined, scale = 2, formats: Format[] = ['svg', 'png'], namespace = 'default';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--out') out = value();
    else if (arg === '--name') name = value();
    else if (arg === '--title') title = value();
    else if (arg === '--namespace' || arg === '-n') namespace = value();
    else if (arg === '--scale') {
      scale = Number(value());
      if (!(scale > 0 && scale <= 8)) throw new UsageError('--scale takes a number above 0, at most 8');
    } else if (arg === '--format') {
      const list = value().split(',').map(s => s.trim());
      const bad = list.filter(f => !(FORMATS as readonly string[]).includes(f));
      if (bad.length) throw new UsageError(`--format ${bad.join(',')}: accepted formats are ${FORMATS.join(', ')}`);
      formats = list as Format[];
    } else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else inputs.push(arg);
  }
  if (!/^[\w.-]+$/.test(name)) throw new UsageError(`--name ${name}: letters, digits, '.', '_' and '-' only (it names files in --out)`);
  return { inputs: inputs.length ? inputs : ['dist'], out, name, formats, title, scale, namespace };
}

/** Writes a file whole or not at all. */
function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/** Runs the tool; returns the files written (text goes to `print`). */
export async function runDiagram(options: DiagramOptions, print: (s: string) => void = s => process.stdout.write(s)): Promise<string[]> {
  const manifests = readManifests(options.inputs, file => console.error(`note: skipped ${file}: no Kubernetes object in it`)).map(s => s.manifest);
  const model = buildModel(manifests, { defaultNamespace: options.namespace });
  if (options.formats.includes('text')) print(toText(model));
  const files = options.formats.filter(f => f !== 'text');
  if (files.length === 0) return [];
  const dot = toDot(model, options.title ?? `${options.inputs.join(', ')}: ${model.workloads.length} workloads in ${new Set(model.workloads.map(w => w.namespace)).size} namespaces`);
  // Render everything first, so a failure leaves no half-new set of files behind.
  const svg = files.includes('svg') || files.includes('png') ? await dotToSvg(dot) : '';
  const outputs: Array<[string, string | Uint8Array]> = [];
  if (files.includes('dot')) outputs.push([`${options.name}.dot`, dot]);
  if (files.includes('svg')) outputs.push([`${options.name}.svg`, svg]);
  if (files.includes('png')) {
    const scale = pngScale(svg, options.scale);
    if (scale < options.scale) console.error(`note: ${options.name}.png drawn at scale ${scale.toFixed(2)}, not ${options.scale}, to stay within ${MAX_PNG_SIDE} px; ${options.name}.svg has every detail`);
    outputs.push([`${options.name}.png`, await svgToPng(svg, options.scale)]);
  }
  mkdirSync(options.out, { recursive: true });
  return outputs.map(([file, data]) => {
    const path = join(options.out, file);
    writeAtomically(path, data);
    return path;
  });
}

/** The command line: `npm run diagram -- …` here, `microk8s-phoenix-diagram …` where the package is installed. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    const written = await runDiagram(parseArgs(argv));
    for (const f of written) console.error(`wrote ${f}`);
  } catch (e) {
    if (e instanceof DiagramInputError || e instanceof UsageError || e instanceof MissingRendererError) {
      console.error(`diagram: ${e.message}`);
      process.exit(e instanceof UsageError ? 2 : 1);
    }
    throw e;
  }
}

if (require.main === module) void main(process.argv.slice(2));
