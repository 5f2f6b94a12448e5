/**
 * A corpus of generated objects with the real API server's verdict on each, per Kubernetes
 * version: recorded (RECORD_VERDICTS=1) and re-checked by the differential integration test on
 * the control plane, replayed in-process by server-verdicts.test.ts so that the validator's
 * server-parity rules are held to the server by every unit run and by mutation testing.
 */
import fc from 'fast-check';
import { CATEGORIES } from '../cluster/differential-cases';

export const RECORDED_VERDICTS = 'server-verdicts.json';
/** Objects per generator category (11 categories). */
export const RECORDED_PER_CATEGORY = 40;

export interface RecordedCase {
  readonly category: string;
  readonly input: unknown;
  readonly object: any;
  /** Kubernetes version → whether its API server accepted the object (dry-run create). */
  readonly accepted: Record<string, boolean>;
}
export interface RecordedVerdicts { readonly seed: number; readonly cases: RecordedCase[] }

/** The corpus' objects, drawn from the differential test's generators with `seed`. */
export function recordedCases(seed: number): RecordedCase[] {
  return CATEGORIES.flatMap((category, i) => fc.sample(category.arbitrary, { numRuns: RECORDED_PER_CATEGORY, seed: seed + i })
    .map(c => ({ category: c.category, input: c.input, object: c.object, accepted: {} })));
}
