// DOT → SVG with Graphviz compiled to WebAssembly, SVG → PNG with resvg (WebAssembly too): no
// browser, no native binaries, no network.
import { readFileSync } from 'fs';
import { FONT } from './dot';

// Both packages are ES modules; a real dynamic import keeps this file CommonJS on every Node >= 20.
const importModule = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

let graphviz: Promise<any> | undefined;
let resvg: Promise<any> | undefined;

/** Lays out and draws a DOT graph as SVG. */
export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= importModule('@hpcc-js/wasm-graphviz').then(m => m.Graphviz.load());
  return (await graphviz).dot(dot, 'svg');
}

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf', 'DejaVuSans-BoldOblique.ttf'];

/** The longest side a PNG gets (decoders and image viewers refuse much larger ones). */
export const MAX_PNG_SIDE = 16384;

/** The scale a PNG is drawn at: the one asked for, or less so that neither side exceeds MAX_PNG_SIDE. */
export function pngScale(svg: string, requested: number): number {
  const size = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg);
  if (!size) return requested;
  const longest = Math.max(Number(size[1]), Number(size[2])) * 96 / 72; // pt → CSS px
  return Math.min(requested, MAX_PNG_SIDE / longest);
}

/** Rasterizes an SVG at `scale` (2: sharp labels on a README page; less if it would exceed
 *  MAX_PNG_SIDE), with the font the layout measured. */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  resvg ??= importModule('@resvg/resvg-wasm').then(async m => {
    await m.initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    return m;
  });
  const { Resvg } = await resvg;
  const fontBuffers = FONT_FILES.map(f => readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${f}`)));
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: pngScale(svg, scale) }, background: 'white',
    font: { fontBuffers, defaultFontFamily: FONT, sansSerifFamily: FONT, loadSystemFonts: false },
  }).render();
  try {
    return image.asPng();
  } finally {
    image.free();
  }
}
