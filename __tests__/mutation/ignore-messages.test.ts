/**
 * The Stryker ignorer of message text (test/mutation/ignore-messages.mjs), run in a child node
 * (it is an ES module) against code parsed with the Babel that Stryker's instrumenter uses.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';

const root = join(__dirname, '..', '..');

function ignoredIn(code: string): string[] {
  const script = `
    import { createRequire } from 'module';
    import { strykerPlugins } from ${JSON.stringify(join(root, 'test', 'mutation', 'ignore-messages.mjs'))};
    const require = createRequire(${JSON.stringify(join(root, 'node_modules', '@stryker-mutator', 'instrumenter', 'package.json'))});
    const { parse } = require('@babel/parser');
    const traverse = require('@babel/traverse').default;
    const code = ${JSON.stringify(code)};
    const ignorer = strykerPlugins.find(p => p.name === 'messages').value;
    const found = [];
    traverse(parse(code, { sourceType: 'module', plugins: ['typescript'] }), {
      enter(path) {
        if (ignorer.shouldIgnore(path)) { found.push(code.slice(path.node.start, path.node.end)); path.skip(); }
      },
    });
    console.log(JSON.stringify(found));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }));
}

test('message text is ignored; what decides whether and where an error happens is not', () => {
  expect(ignoredIn([
    "sink.add(source, 'rule', `spec.x[${i}]`, `message ${a}`);",
    "throw new PropError(this, 'prop', value ?? 'x', 'accepted ' + y);",
    "throw new Error('boom');",
    "const e = new Error('kept: not thrown here');",
    "console.log('hi', n);",
    "checkSchedule(this, 'schedule', props.schedule ?? '1 2 * * *', '15 2 * * *');",
    "foo(a, b, c, 'kept: any other call');",
    "if (x > 1) sink.add(source, 'rule', 'path');",
    "sink.add(source, 'rule', 'path', 'a warning', 'warning');",
    "function f(add: Add, warn: (path: string, message: string) => void) { add('rule', `path.${k}`, 'param add'); warn(`path.${k}`, 'param warn'); }",
    "const add = (rule: string, path: string, message: string) => sink.add(source, rule, path, message); add('rule', 'p', 'const add');",
    "function g(add: (a: string, b: string, c: string) => void, warn: Other) { add('rule', 'p', 'kept: not a sink'); warn('p', 'kept: not a sink'); }",
    "function h() { const add = (a: string, b: string, c: string) => list.push(c); add('a', 'b', 'kept: no .add'); }",
    "names.add('kept: a Set');",
    "add('kept: two arguments', 'x');",
    "warn('kept: unbound', 'x');",
  ].join('\n'))).toEqual(["`message ${a}`", "value ?? 'x'", "'accepted ' + y", "'boom'", "'hi'", 'n', "'15 2 * * *'",
    "'a warning'", "'param add'", "'param warn'", 'message', "'const add'"]);
});
