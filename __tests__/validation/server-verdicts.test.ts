/**
 * The validator against the API server's recorded verdicts (server-verdicts.json, see
 * server-verdicts.ts): every object the server refused is refused by a rule that claims server
 * parity, every object it accepted passes them, on each recorded Kubernetes version. Rules that
 * are stricter on purpose (STRICTER_THAN_SERVER) do not count, as in the differential test.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { STRICTER_THAN_SERVER, validateManifests } from '../../lib/validation';
import { RecordedVerdicts, RECORDED_PER_CATEGORY, RECORDED_VERDICTS } from './server-verdicts';

const corpus: RecordedVerdicts = JSON.parse(readFileSync(join(__dirname, RECORDED_VERDICTS), 'utf8'));
const versions = [...new Set(corpus.cases.flatMap(c => Object.keys(c.accepted)))].sort();
const categories = [...new Set(corpus.cases.map(c => c.category))];

test('the corpus covers every generator category on both pinned versions, with accepted and refused objects', () => {
  expect(versions).toEqual(['1.34.4', '1.36.3']);
  expect(corpus.cases).toHaveLength(11 * RECORDED_PER_CATEGORY); // every generator category of the differential test
  expect(categories.length).toBeGreaterThanOrEqual(11);
  for (const v of versions) {
    expect(corpus.cases.every(c => typeof c.accepted[v] === 'boolean')).toBe(true);
    expect(corpus.cases.filter(c => c.accepted[v]).length).toBeGreaterThan(50);
    expect(corpus.cases.filter(c => !c.accepted[v]).length).toBeGreaterThan(50);
  }
});

describe.each(categories)('%s', category => {
  test.each(versions)('our verdict is the server\'s on %s', version => {
    const minor = Number(version.split('.')[1]);
    const disagreements: string[] = [];
    for (const c of corpus.cases.filter(x => x.category === category)) {
      const errors = validateManifests([{ manifest: JSON.parse(JSON.stringify(c.object)), constructPath: 'recorded/Object' }], { kubernetesMinor: minor }).findings
        .filter(f => f.severity === 'error' && !(f.rule in STRICTER_THAN_SERVER));
      if ((errors.length === 0) !== c.accepted[version]) {
        disagreements.push(`${JSON.stringify(c.input)}: the server ${c.accepted[version] ? 'accepts' : 'refuses'}, we ${errors.length === 0 ? 'accept' : `refuse (${errors.map(f => `${f.rule} ${f.path}`).join('; ')})`}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
