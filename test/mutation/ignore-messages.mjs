// Stryker ignorer "messages": mutants inside the text of a message are not run.
//
// A finding's message, a PropError's "accepted" text, a thrown Error's message and console
// output say what went wrong and what to do; tests check that they name the construct path, the
// prop and the value, but a test per wording would pin text, not behaviour (issue 16: "mark, do
// not test text"). Ignored are exactly these arguments, nothing that decides whether an error
// happens or where it points:
//   - sink.add(source, rule, path, MESSAGE[, sev])   the fourth argument of a FindingSink.add
//                                                    (the severity stays tested)
//   - add(rule, path, MESSAGE), warn(path, MESSAGE)  the local shorthands for sink.add in the
//                                                    server-parity rules
//   - new PropError(scope, prop, VALUE, ACCEPTED)    the value shown and the accepted values (the
//                                                    construct path and the prop stay tested)
//   - checkSchedule(scope, prop, value, EXAMPLE)     the example in its message
//   - throw new Error(MESSAGE) (and TypeError, RangeError)
//   - console.log/warn/error(...)
// Stryker reports them as Ignored with this reason; they do not count in the score.
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

const REASON = 'message text only (test/mutation/ignore-messages.mjs)';
const ERRORS = new Set(['Error', 'TypeError', 'RangeError']);

/** Whether `path` is the argument at `index` of its call or `new` expression. */
function argumentOf(path, index) {
  const parent = path.parentPath;
  return !!parent && (parent.isCallExpression() || parent.isNewExpression()) && parent.node.arguments[index] === path.node;
}

/**
 * Whether `callee` names a shorthand for FindingSink.add whose last parameter is the message: a
 * parameter typed `Add` or a function type ending in `message`, or a const arrow function that
 * calls `.add(...)`. Any other function that happens to be called add or warn is not one.
 */
function isSinkShorthand(callee) {
  const binding = callee.scope.getBinding(callee.node.name);
  if (!binding) return false;
  const node = binding.path.node;
  if (binding.kind === 'param') {
    const type = node.typeAnnotation?.typeAnnotation;
    if (type?.type === 'TSTypeReference') return type.typeName.type === 'Identifier' && type.typeName.name === 'Add';
    const last = type?.type === 'TSFunctionType' ? type.parameters.at(-1) : undefined;
    return last?.type === 'Identifier' && last.name === 'message';
  }
  const init = node.type === 'VariableDeclarator' ? node.init : undefined;
  return binding.kind === 'const' && init?.type === 'ArrowFunctionExpression' && init.body.type === 'CallExpression'
    && init.body.callee.type === 'MemberExpression' && init.body.callee.property.type === 'Identifier' && init.body.callee.property.name === 'add';
}

function isMessage(path) {
  const parent = path.parentPath;
  if (!parent || !(parent.isCallExpression() || parent.isNewExpression())) return false;
  const call = parent.node;
  const callee = call.callee;
  const called = (name) => parent.isCallExpression() && callee.type === 'Identifier' && callee.name === name;
  if ((call.arguments.length === 4 || call.arguments.length === 5) && argumentOf(path, 3)
    && parent.isCallExpression() && callee.type === 'MemberExpression' && callee.property.type === 'Identifier' && callee.property.name === 'add') return true;
  if (call.arguments.length === 4 && argumentOf(path, 3) && called('checkSchedule')) return true;
  if (call.arguments.length === 3 && argumentOf(path, 2) && called('add') && isSinkShorthand(parent.get('callee'))) return true;
  if (call.arguments.length === 2 && argumentOf(path, 1) && called('warn') && isSinkShorthand(parent.get('callee'))) return true;
  if (path.parentPath.isNewExpression() && callee.type === 'Identifier' && callee.name === 'PropError' && (argumentOf(path, 2) || argumentOf(path, 3))) return true;
  if (path.parentPath.isNewExpression() && callee.type === 'Identifier' && ERRORS.has(callee.name) && argumentOf(path, 0)
    && !!path.parentPath.parentPath?.isThrowStatement()) return true;
  if (path.parentPath.isCallExpression() && callee.type === 'MemberExpression' && callee.object.type === 'Identifier'
    && callee.object.name === 'console' && call.arguments.includes(path.node)) return true;
  return false;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'messages', {
    shouldIgnore(path) {
      return isMessage(path) ? REASON : undefined;
    },
  }),
];
