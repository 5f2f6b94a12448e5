// Reading the manifests to draw: files and directories of YAML or JSON, as `kubectl apply -f` takes them.
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative, resolve } from 'path';
import { parseAllDocuments } from 'yaml';
import { Manifest } from '../../lib/validation/report';

/** Bad input: no manifests, a file that does not parse, a document that is not a Kubernetes object. */
export class DiagramInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiagramInputError';
  }
}

/** A manifest and where it was read from (for messages). */
export interface ManifestInFile {
  readonly manifest: Manifest;
  readonly file: string;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** The manifest files a path names: the file itself, or every *.yaml, *.yml and *.json below a
 *  directory (sorted, dot-files and dot-directories skipped, as `kubectl apply -R -f` would). */
function manifestFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new DiagramInputError(`${path}: no such file or directory. Run \`npm run synth\` first, or name the directory your manifests are in.`);
  }
  if (!stat.isDirectory()) return [path];
  return readdirSync(path).sort().filter(n => !n.startsWith('.')).flatMap(n => {
    const p = join(path, n);
    return statSync(p).isDirectory() ? manifestFiles(p) : MANIFEST_FILE.test(n) ? [p] : [];
  });
}

const looksLikeObject = (v: any) => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v.kind === 'string' && typeof v.apiVersion === 'string';

/** The Kubernetes objects in one file's text; `List` objects are unpacked into their items. A file
 *  without a single Kubernetes object (cdk8s's construct-metadata.json, a values file) gives none;
 *  in a file of manifests every document has to be one. */
export function parseManifests(text: string, file: string): ManifestInFile[] {
  const values: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0];
      const where = e.linePos ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
      throw new DiagramInputError(`${file}${where}: not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    values.push(doc.toJS());
  }
  // A file of no Kubernetes object, or kustomize's own kustomization.yaml, is not a manifest file.
  if (!values.some(v => looksLikeObject(v) && !String((v as any).apiVersion).startsWith('kustomize.config.k8s.io/'))) return [];
  const out: ManifestInFile[] = [];
  values.forEach((value: any, i) => {
    if (value === null || value === undefined) return; // an empty document between two `---`
    for (const m of value?.kind === 'List' && Array.isArray(value.items) ? value.items : [value]) {
      if (!looksLikeObject(m) || (typeof m.metadata?.name !== 'string' && typeof m.metadata?.generateName !== 'string')) {
        throw new DiagramInputError(`${file}: document ${i + 1} is not a Kubernetes object (it needs apiVersion, kind and metadata.name).`);
      }
      out.push({ manifest: m as Manifest, file });
    }
  });
  return out;
}

/** Every Kubernetes object under the given paths, or a clear error when there is none.
 *  `onSkip` hears of each file that holds no Kubernetes object. */
export function readManifests(paths: readonly string[], onSkip: (file: string) => void = () => undefined, cwd = process.cwd()): ManifestInFile[] {
  if (paths.length === 0) throw new DiagramInputError('no input: name a directory or file of manifests (default: dist/).');
  const files = paths.flatMap(p => manifestFiles(p));
  if (files.length === 0) {
    throw new DiagramInputError(`no manifests (*.yaml, *.yml, *.json) in ${paths.join(', ')}. Run \`npm run synth\` first, or name the directory your manifests are in.`);
  }
  const shown = (f: string) => (relative(cwd, f).startsWith('..') ? resolve(f) : relative(cwd, f) || f);
  const manifests = files.flatMap(f => {
    const found = parseManifests(readFileSync(f, 'utf8'), shown(f));
    if (found.length === 0) onSkip(shown(f));
    return found;
  });
  if (manifests.length === 0) throw new DiagramInputError(`no Kubernetes objects in ${files.map(shown).join(', ')}.`);
  return manifests;
}
