import { createHash } from 'crypto';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join, relative, sep } from 'path';
import { Finding, ValidationReport, Waiver } from './report';

/**
 * A receipt lets the cdk8s CLI's validation plugin reuse the validation the app already did
 * in-process, instead of parsing the YAML again and re-running every rule: it records the
 * SHA-256 of every manifest file (by path relative to the output root) next to the report. The plugin accepts it only when the
 * directory holds exactly those files with exactly those hashes; otherwise it validates itself.
 */
export const RECEIPT_FILE = 'validation-receipt.json';

interface Receipt {
  readonly version: 1;
  readonly files: Record<string, string>;
  readonly objectCount: number;
  readonly findings: Finding[];
  readonly waivers: Waiver[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function writeReceipt(dir: string, files: Record<string, string>, report: ValidationReport): void {
  const receipt: Receipt = {
    version: 1,
    files: Object.fromEntries(Object.entries(files).map(([name, content]) => [name, sha256(content)])),
    objectCount: report.objectCount,
    findings: [...report.findings],
    waivers: [...report.waivers],
  };
  writeFileSync(join(dir, RECEIPT_FILE), JSON.stringify(receipt));
}

/** The report for exactly these manifest files, when a matching receipt sits beside them. */
export function readReceipt(manifestPaths: readonly string[]): ValidationReport | undefined {
  if (manifestPaths.length === 0) return undefined;
  // The receipt sits in the output root, the shallowest directory holding a manifest.
  const dir = manifestPaths.map(p => dirname(p)).sort((a, b) => a.length - b.length)[0];
  const file = join(dir, RECEIPT_FILE);
  if (!existsSync(file) || manifestPaths.some(p => !p.startsWith(dir + sep))) return undefined;
  let receipt: Receipt;
  try {
    // Stryker disable next-line StringLiteral: without an encoding JSON.parse gets a Buffer, which it decodes as UTF-8 just the same
    receipt = JSON.parse(readFileSync(file, 'utf8'));
  }
  // Stryker disable next-line BlockStatement: without the return, the unassigned receipt fails the version check below just the same
  catch {
    return undefined;
  }
  if (receipt?.version !== 1 || Object.keys(receipt.files ?? {}).length !== manifestPaths.length) return undefined;
  for (const p of manifestPaths) {
    if (receipt.files[relative(dir, p).split(sep).join('/')] !== sha256(readFileSync(p))) return undefined;
  }
  return new ValidationReport(receipt.findings, receipt.waivers, receipt.objectCount);
}
