/** The finding sink, the report and its text form: identity, counts, severities, order, attribution. */
import { Finding, ValidationReport, Waiver } from '../../lib';
import { FindingSink, objectId } from '../../lib/validation/report';

const finding = (over: Partial<Finding> = {}): Finding => ({
  severity: 'error', rule: 'probes', object: 'Deployment/shop/web', path: 'spec.template.spec.containers[0]', message: 'add probes', ...over,
});

describe('objectId', () => {
  test('Kind/namespace/name, or Kind/name without a namespace', () => {
    expect(objectId({ kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } })).toBe('Deployment/shop/web');
    expect(objectId({ kind: 'ClusterRole', metadata: { name: 'reader' } })).toBe('ClusterRole/reader');
    expect(objectId({ kind: 'ClusterRole', metadata: { name: 'reader', namespace: '' } })).toBe('ClusterRole/reader');
  });

  test('a missing kind or name is spelled out, and a missing metadata does not throw', () => {
    const noKind = objectId({ metadata: { name: 'web', namespace: 'shop' } });
    const noName = objectId({ kind: 'Service', metadata: { namespace: 'shop' } });
    const bare = objectId({ kind: 'Service' });
    expect(noKind).toMatch(/^<[^>]+>\/shop\/web$/);
    expect(noName).toMatch(/^Service\/shop\/<[^>]+>$/);
    expect(bare).toMatch(/^Service\/<[^>]+>$/);
    expect(objectId({})).toMatch(/^<[^>]+>\/<[^>]+>$/);
    // the two placeholders differ: which part is missing shows
    expect(objectId({}).split('/')[0]).not.toBe(objectId({}).split('/')[1]);
  });
});

describe('FindingSink', () => {
  test('adds the identity and attribution of the object to each finding; severity error by default', () => {
    const sink = new FindingSink();
    sink.add({ manifest: { kind: 'Service', metadata: { name: 'web', namespace: 'shop' } }, constructPath: 'app/web/Service', file: 'dist/app.k8s.yaml' }, 'service-selector', 'spec.selector', 'm1');
    sink.add({ manifest: { kind: 'Namespace', metadata: { name: 'shop' } } }, 'schema', '', 'm2', 'warning');
    expect(sink.findings).toEqual([
      { severity: 'error', rule: 'service-selector', path: 'spec.selector', message: 'm1', object: 'Service/shop/web', constructPath: 'app/web/Service', file: 'dist/app.k8s.yaml' },
      { severity: 'warning', rule: 'schema', path: '', message: 'm2', object: 'Namespace/shop', constructPath: undefined, file: undefined },
    ]);
  });
});

describe('ValidationReport', () => {
  const e1 = finding({ rule: 'e1' });
  const w1 = finding({ rule: 'w1', severity: 'warning' });
  const e2 = finding({ rule: 'e2', object: 'Service/shop/web' });
  const w2 = finding({ rule: 'w2', severity: 'warning' });

  test('errors and warnings, in the order found; ok when there is no error', () => {
    const report = new ValidationReport([w1, e1, w2, e2], [], 7);
    expect(report.errors).toEqual([e1, e2]);
    expect(report.warnings).toEqual([w1, w2]);
    expect(report.findings).toEqual([w1, e1, w2, e2]);
    expect(report.ok).toBe(false);
    expect(report.objectCount).toBe(7);
    expect(new ValidationReport([w1, w2], [], 1).ok).toBe(true);
    expect(new ValidationReport([w1, w2], [], 1).warnings).toEqual([w1, w2]);
    expect(new ValidationReport([], [], 0).ok).toBe(true);
    expect(new ValidationReport([], [], 0).warnings).toEqual([]);
    expect(new ValidationReport([e1], [], 1).warnings).toEqual([]);
  });

  describe('format', () => {
    /** The formatted report as blocks: the summary, then one block per finding, then the waivers. */
    const blocks = (report: ValidationReport) => report.format().split('\n\n').map(b => b.split('\n'));

    test('the summary counts objects, errors, warnings and waivers', () => {
      const waiver: Waiver = { rule: 'probes', object: 'Job/shop/once', reason: 'runs to completion quickly' };
      const summary = blocks(new ValidationReport([w1, e1, w2, e2, finding({ rule: 'e3' })], [waiver], 12))[0];
      expect(summary).toHaveLength(1);
      expect(summary[0].match(/\d+/g)).toEqual(['12', '3', '2', '1']);
      expect(blocks(new ValidationReport([], [], 0))[0][0].match(/\d+/g)).toEqual(['0', '0', '0', '0']);
    });

    test('errors first, then warnings, each in order found; one block per finding', () => {
      const b = blocks(new ValidationReport([w1, e1, w2, e2], [], 4));
      expect(b).toHaveLength(5);
      expect(b.slice(1).map(lines => lines[0])).toEqual([
        'ERROR [e1] Deployment/shop/web',
        'ERROR [e2] Service/shop/web',
        'WARNING [w1] Deployment/shop/web',
        'WARNING [w2] Deployment/shop/web',
      ]);
    });

    test('a finding shows its construct path and file when known, its path and its message', () => {
      const f = finding({ constructPath: 'app/web/Deployment', file: 'dist/app.k8s.yaml', message: 'the message' });
      const [, block] = blocks(new ValidationReport([f], [], 1));
      expect(block).toHaveLength(5);
      expect(block[0]).toBe('ERROR [probes] Deployment/shop/web');
      expect(block[1]).toMatch(/^ {2}\w+: +app\/web\/Deployment$/);
      expect(block[2]).toMatch(/^ {2}\w+: +dist\/app\.k8s\.yaml$/);
      expect(block[3]).toMatch(/^ {2}\w+: +spec\.template\.spec\.containers\[0\]$/);
      expect(block[4]).toBe('  the message');
      // each detail under its own label
      expect(new Set(block.slice(1, 4).map(l => l.split(':')[0])).size).toBe(3);
    });

    test('without a construct path or file those lines are left out', () => {
      const only = (over: Partial<Finding>) => blocks(new ValidationReport([finding({ message: 'msg', ...over })], [], 1))[1];
      const bare = only({});
      expect(bare).toHaveLength(3);
      expect(bare[1]).toMatch(/: +spec\.template\.spec\.containers\[0\]$/);
      expect(bare.join('\n')).not.toContain('undefined');
      const withPath = only({ constructPath: 'app/x' });
      expect(withPath).toHaveLength(4);
      expect(withPath[1]).toMatch(/: +app\/x$/);
      const withFile = only({ file: 'a.yaml' });
      expect(withFile).toHaveLength(4);
      expect(withFile[1]).toMatch(/: +a\.yaml$/);
      expect(withFile[1].split(':')[0]).not.toBe(withPath[1].split(':')[0]);
    });

    test('a finding on the whole object (empty path) shows a placeholder path', () => {
      const [, block] = blocks(new ValidationReport([finding({ path: '', message: 'msg' })], [], 1));
      expect(block).toHaveLength(3);
      expect(block[1]).toMatch(/: +<\w+>$/);
    });

    test('no waivers: the report ends with the last finding', () => {
      const b = blocks(new ValidationReport([e1], [], 1));
      expect(b).toHaveLength(2);
      expect(b[1][b[1].length - 1]).toBe(`  ${e1.message}`);
      expect(blocks(new ValidationReport([], [], 3))).toEqual([[expect.any(String)]]);
    });

    test('waivers are listed last, one line each, with rule, object, construct path when known and reason', () => {
      const waivers: Waiver[] = [
        { rule: 'probes', object: 'Job/shop/once', constructPath: 'app/once/Job', reason: 'runs to completion quickly' },
        { rule: 'run-as-non-root', object: 'Deployment/shop/legacy', reason: 'the vendor image needs root' },
      ];
      const b = blocks(new ValidationReport([w1], waivers, 2));
      expect(b).toHaveLength(3);
      const [heading, ...items] = b[2];
      expect(heading).toMatch(/waive/i);
      expect(items).toEqual([
        '  - [probes] Job/shop/once (app/once/Job): runs to completion quickly',
        '  - [run-as-non-root] Deployment/shop/legacy: the vendor image needs root',
      ]);
    });
  });
});
