import type { Declarations } from './declarations';
/** A Kubernetes object as synthesized (plain JSON). */
export interface Manifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [key: string]: any;
}

/** A manifest with where it came from. */
export interface SourcedManifest {
  readonly manifest: Manifest;
  /** Construct path of the ApiObject that produced it, when known. */
  readonly constructPath?: string;
  /** File it was read from, when it was read from a file. */
  readonly file?: string;
  /** What the object declared to the validator (`declareExternalSecret`, `declareExternalPods`). */
  readonly declarations?: Declarations;
}

export type Severity = 'error' | 'warning';

export interface Finding {
  readonly severity: Severity;
  /** Rule id, e.g. "schema", "service-selector", "run-as-non-root". */
  readonly rule: string;
  /** `Kind/namespace/name` (or `Kind/name` when cluster-scoped or namespace-less). */
  readonly object: string;
  readonly constructPath?: string;
  readonly file?: string;
  /** JSON path inside the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly path: string;
  /** What is wrong and what to do. */
  readonly message: string;
}

export interface Waiver {
  readonly rule: string;
  readonly object: string;
  readonly constructPath?: string;
  readonly reason: string;
}

export function objectId(m: Manifest): string {
  const ns = m.metadata?.namespace;
  return `${m.kind ?? '<no kind>'}/${ns ? `${ns}/` : ''}${m.metadata?.name ?? '<no name>'}`;
}

/** The result of validating a set of manifests. */
export class ValidationReport {
  constructor(
    public readonly findings: readonly Finding[],
    public readonly waivers: readonly Waiver[],
    /** Number of objects checked. */
    public readonly objectCount: number,
  ) {}

  public get errors(): Finding[] {
    return this.findings.filter(f => f.severity === 'error');
  }

  public get warnings(): Finding[] {
    return this.findings.filter(f => f.severity === 'warning');
  }

  public get ok(): boolean {
    return this.errors.length === 0;
  }

  /** Human-readable report, errors first. */
  public format(): string {
    const lines = [`Validation of ${this.objectCount} objects: ${this.errors.length} error(s), ${this.warnings.length} warning(s), ${this.waivers.length} waiver(s)`];
    for (const f of [...this.errors, ...this.warnings]) {
      lines.push('', `${f.severity.toUpperCase()} [${f.rule}] ${f.object}`);
      if (f.constructPath) lines.push(`  construct: ${f.constructPath}`);
      if (f.file) lines.push(`  file:      ${f.file}`);
      lines.push(`  path:      ${f.path || '<object>'}`);
      lines.push(`  ${f.message}`);
    }
    if (this.waivers.length > 0) {
      lines.push('', 'Waived policy rules:');
      for (const w of this.waivers) lines.push(`  - [${w.rule}] ${w.object}${w.constructPath ? ` (${w.constructPath})` : ''}: ${w.reason}`);
    }
    return lines.join('\n');
  }
}

/** Collects findings for one object, adding its identity to each. */
export class FindingSink {
  public readonly findings: Finding[] = [];

  public add(source: SourcedManifest, rule: string, path: string, message: string, severity: Severity = 'error'): void {
    this.findings.push({
      severity, rule, path, message,
      object: objectId(source.manifest),
      constructPath: source.constructPath,
      file: source.file,
    });
  }
}
