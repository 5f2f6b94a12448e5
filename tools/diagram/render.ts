// DOT → SVG with Graphviz compiled to WebAssembly, SVG → PNG with resvg (WebAssembly too): no
// browser, no native binaries, no network.
import { readFileSync } from 'fs';
import { pathToFileURL } from 'url';
import { FONT } from './dot';

/** What drawing SVG and PNG needs besides this package (optional peer dependencies of it). */
export const RENDERER_PACKAGES = ['@hpcc-js/wasm-graphviz@1.29.2', '@resvg/resvg-wasm@2.6.2', 'dejavu-fonts-ttf@2.37.3'];

/** SVG or PNG asked for where the packages that draw them are not installed. */
export class MissingRendererError extends Error {
  constructor(what: string) {
    super(`drawing ${what} needs ${RENDERER_PACKAGES.join(', ')}: \`npm install --save-dev ${RENDERER_PACKAGES.join(' ')}\`, or use --format text`);
    this.name = 'MissingRendererError';
  }
}

const missing = (e: any) => e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND';

// Both packages are ES modules; a real dynamic import keeps this file CommonJS on every Node >= 20.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;
/** Imports a package found from this file (as require would: a consumer's node_modules too);
 *  one that is not installed is a MissingRendererError naming what `what` needs. */
export async function importModule(specifier: string, what: string): Promise<any> {
  let path: string;
  try {
    path = require.resolve(specifier);
  } catch (e) {
    throw missing(e) ? new MissingRendererError(what) : e;
  }
  return dynamicImport(pathToFileURL(path).href);
}

let graphviz: Promise<any> | undefined;
let resvg: Promise<any> | undefined;

/** Lays out and draws a DOT graph as SVG. */
export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= importModule('@hpcc-js/wasm-graphviz', 'SVG').then(m => m.Graphviz.load());
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
  // The WebAssembly module and the fonts are loaded once per process, however many PNGs it draws.
  resvg ??= importModule('@resvg/resvg-wasm', 'PNG').then(async imported => {
    const m = imported.initWasm ? imported : imported.default; // its CommonJS build, imported
    await m.initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    const fontBuffers = FONT_FILES.map(f => {
      try {
        return readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
      } catch (e) {
        throw missing(e) ? new MissingRendererError('PNG') : e;
      }
    });
    return { Resvg: m.Resvg, fontBuffers };
  });
  const { Resvg, fontBuffers } = await resvg;
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
