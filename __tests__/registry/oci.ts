/** Builds tiny OCI image layouts by hand (no Docker): one gzip'd tar layer per file. */
import { createHash } from 'crypto';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { gzipSync } from 'zlib';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A one-file ustar archive. */
function tar(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100, 8);
  header.write('0000000\0', 108, 8);
  header.write('0000000\0', 116, 8);
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124, 12);
  header.write('00000000000\0', 136, 12);
  header.write('        ', 148, 8);
  header.write('0', 156, 1);
  header.write('ustar\0', 257, 6);
  header.write('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

export interface OciImage {
  readonly dir: string;
  readonly tag: string;
  /** sha256 hex digests of the layers, config and manifest. */
  readonly layers: string[];
  readonly config: string;
  readonly manifest: string;
}

/** Write an OCI layout at `dir` holding one image `tag` whose layers contain `files`. */
export function writeOciImage(dir: string, tag: string, files: Record<string, string>): OciImage {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (data: Buffer) => { const d = sha256(data); writeFileSync(join(dir, 'blobs', 'sha256', d), data); return d; };
  const layerDescs = Object.entries(files).map(([name, content]) => {
    const raw = tar(name, Buffer.from(content));
    const gz = gzipSync(raw, { level: 9 });
    return { digest: put(gz), size: gz.length, diffId: sha256(raw) };
  });
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: layerDescs.map(l => `sha256:${l.diffId}`) },
  }));
  const configDigest = put(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configDigest}`, size: config.length },
    layers: layerDescs.map(l => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${l.digest}`, size: l.size })),
  }));
  const manifestDigest = put(manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${manifestDigest}`, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return { dir, tag, layers: layerDescs.map(l => l.digest), config: configDigest, manifest: manifestDigest };
}
