// The README's picture of the default stack is current: regenerated here, compared by structure
// (what is drawn and what it says), not by pixels.
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { stringify } from 'yaml';
import { doitManifests, unescapeSvg } from './helpers';

const ROOT = resolve(__dirname, '../../..');
/** As in the README: `npm run synth && npm run diagram -- dist --out docs --scale 1.5 --title "…"`. */
export const README_TITLE = 'The doit stack on defaults (npm run synth; npm run diagram)';
const REGENERATE = `npm run synth && npm run diagram -- dist --out docs --scale 1.5 --title "${README_TITLE}"`;

/** What a drawing says: its elements (ids) and every text in it, sorted; positions left out. */
function structure(svg: string) {
  return {
    elements: [...svg.matchAll(/<g id="([^"]+)" class="(node|edge|cluster)[^"]*">/g)].map(m => `${m[2]} ${unescapeSvg(m[1])}`).sort(),
    texts: [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(m => unescapeSvg(m[1])).sort(),
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'readme-diagram-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('docs/stack.svg is the diagram of today\'s default stack (else run the command in the message)', () => {
  const input = mkdtempSync(join(scratch, 'in-'));
  writeFileSync(join(input, 'stack.yaml'), doitManifests().map(m => stringify(m)).join('---\n'));
  const out = mkdtempSync(join(scratch, 'out-'));
  const r = spawnSync(process.execPath, ['--require', 'sucrase/register/ts', join(ROOT, 'tools/diagram/cli.ts'), input, '--out', out, '--format', 'svg', '--title', README_TITLE], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  const committed = structure(readFileSync(join(ROOT, 'docs/stack.svg'), 'utf8'));
  const fresh = structure(readFileSync(join(out, 'stack.svg'), 'utf8'));
  const stale = (a: string[], b: string[]) => ({ missing: b.filter(x => !a.includes(x)), extra: a.filter(x => !b.includes(x)) });
  expect({ elements: stale(committed.elements, fresh.elements), texts: stale(committed.texts, fresh.texts), regenerate: REGENERATE })
    .toEqual({ elements: { missing: [], extra: [] }, texts: { missing: [], extra: [] }, regenerate: REGENERATE });
  expect(fresh.elements.filter(e => e.startsWith('edge flow|')).length).toBeGreaterThan(5);
});

test('docs/stack.png was drawn from that SVG at scale 1.5 (same size), so it is not older than the SVG', () => {
  const png = readFileSync(join(ROOT, 'docs/stack.png'));
  const [, w, h] = /<svg width="(\d+)pt" height="(\d+)pt"/.exec(readFileSync(join(ROOT, 'docs/stack.svg'), 'utf8'))!;
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([Math.round(Number(w) * 1.5 * 96 / 72), Math.round(Number(h) * 1.5 * 96 / 72)].map(n => expect.closeTo(n, -0.5)));
});

test('the README shows that picture', () => {
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/!\[[^\]]+\]\(docs\/stack\.svg\)/);
});
