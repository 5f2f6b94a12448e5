/**
 * Container image references (the grammar of distribution/reference, which kubelet and
 * containerd parse): `[registry-host[:port]/]path[:tag][@sha256:<64 hex>]`, the path in lower
 * case. One helper for construct props, the doit config and the validator.
 */

const HOST_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REPOSITORY = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface ImageReference {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Splits a reference; the `:` of a registry port is not a tag separator. */
export function splitImageReference(ref: string): ImageReference {
  const [nameAndTag, digest] = ref.split('@', 2) as [string, string | undefined];
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  return colon < 0
    ? { repository: nameAndTag, digest }
    : { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
}

const PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/** What is wrong with a repository path inside a registry (`team/app`, no host), or undefined. */
export function imagePathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'expected a non-empty string';
  if (path.length > 255) return 'longer than 255 characters';
  return PATH.test(path) ? undefined : 'expected lower-case path components of letters and digits joined by single separators (".", "_", "__", "-"), e.g. "doit" or "team/doit"';
}

/** What is wrong with a repository (no tag, no digest), or undefined. */
export function repositoryProblem(repository: unknown): string | undefined {
  if (typeof repository !== 'string' || repository.length === 0) return 'expected a non-empty string';
  if (/^[a-z]+:\/\//i.test(repository)) return 'no URL scheme: a registry host, then the path (e.g. "reg.example.com/team/app")';
  if (repository.length > 255) return 'longer than 255 characters';
  if (!REPOSITORY.test(repository)) {
    // The registry host may have capitals; the path may not.
    const [first, ...rest] = repository.split('/');
    const hasHost = rest.length > 0 && (/[.:]/.test(first) || first === 'localhost');
    const lowered = hasHost ? [first, ...rest.map(p => p.toLowerCase())].join('/') : repository.toLowerCase();
    return REPOSITORY.test(lowered)
      ? 'the path must be lower case'
      : 'expected [registry-host[:port]/]path of lower-case letters, digits and . _ - separators';
  }
  return undefined;
}

/** What is wrong with a full image reference, or undefined. `pinned` also refuses no tag or `latest`. */
export function imageReferenceProblem(ref: unknown, pinned = true): string | undefined {
  if (typeof ref !== 'string' || ref.length === 0) return 'expected a non-empty string';
  const { repository, tag, digest } = splitImageReference(ref);
  const repo = repositoryProblem(repository);
  if (repo) return repo;
  if (tag !== undefined && !TAG.test(tag)) return `tag "${tag}" is not a tag (letters, digits, _ . -, at most 128)`;
  if (digest !== undefined && !DIGEST.test(digest)) return `digest "${digest}" is not sha256:<64 hex digits>`;
  if (pinned && digest === undefined && (tag === undefined || tag === 'latest')) {
    return 'not pinned: give a tag other than "latest" or a digest (e.g. "localhost:32000/doit:1.2.3")';
  }
  return undefined;
}

/** What is wrong with a content digest, or undefined. */
export function digestProblem(digest: unknown): string | undefined {
  return typeof digest === 'string' && DIGEST.test(digest) ? undefined
    : 'expected sha256:<64 lower-case hex digits>, e.g. "sha256:" and the output of `skopeo inspect --raw docker://<image> | sha256sum`';
}

/**
 * `ref` pinned to `digest` as well (`name:tag@sha256:…`): the tag stays for people, the digest
 * is what the kubelet pulls, so a tag moved later (or pushed over by anyone who may write to the
 * registry) changes nothing. Without a digest, `ref` itself.
 */
export function withDigest(ref: string, digest: string | undefined): string {
  return digest === undefined ? ref : `${ref}@${digest}`;
}
