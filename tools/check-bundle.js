#!/usr/bin/env node
// Bundle gate: TypeScript, rollup and terser can each reintroduce language forms and helpers that
// Espruino 2v29 lacks (docs/espruino.md), so the final dist/*.js is checked, not only the source.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { RESERVED_WORDS } from './reserved-words.js';

const MISSING_GLOBALS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Symbol', 'Proxy', 'Reflect', 'BigInt']);

const MISSING_STATICS = {
  Array: ['from', 'of'],
  Number: ['isInteger', 'isNaN', 'isFinite', 'EPSILON'],
  Math: ['trunc'],
  Object: ['freeze', 'seal', 'preventExtensions'],
  Promise: ['allSettled', 'any', 'race'],
};

// A keyword or reserved word used as a member name (tools/reserved-words.js). Espruino's own Promise
// API defines `.catch`, so reading it is the one use allowed.
const KEYWORD_MEMBERS = new Set(RESERVED_WORDS);
const KEYWORD_MEMBER_READS_ALLOWED = new Set(['catch']);

const MISSING_METHODS = new Set(['trimStart', 'trimEnd', 'matchAll', 'flat', 'flatMap', 'lastIndexOf']);

const ERROR_CLASSES = new Set([
  'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError', 'InternalError',
]);

const TS_HELPERS = new Set([
  '__extends', '__spreadArray', '__spread', '__spreadArrays', '__awaiter', '__generator', '__values', '__read', '__rest',
  '__asyncValues', '__asyncGenerator', '__asyncDelegator', '__await',
]);

// Helper names disappear under terser's top-level mangling; their error strings do not.
const TS_HELPER_STRINGS = [
  ['Class extends value ', '__extends'],
  ['Generator is already executing.', '__generator'],
  ['Object is not iterable.', '__values'],
  ['Symbol.iterator is not defined.', '__values'],
  ['Symbol.asyncIterator is not defined.', '__asyncValues'],
  ['Private accessor was defined without a getter', '__classPrivateFieldGet'],
  ['Private accessor was defined without a setter', '__classPrivateFieldSet'],
  ['Cannot read private member from an object whose class did not declare it', '__classPrivateFieldGet'],
  ['Cannot write private member to an object whose class did not declare it', '__classPrivateFieldSet'],
  ['Private method is not writable', '__classPrivateFieldSet'],
  ["Cannot use 'in' operator on non-object", '__classPrivateFieldIn'],
];

/**
 * Where Espruino's parser walks code without running it (a branch not taken, a case not matched, a loop body that
 * does not run, an expression-bodied arrow being defined): `child` of `parent` is such a position.
 */
function parsedWithoutRunning(parent, child) {
  switch (parent.type) {
    case 'LogicalExpression': return parent.right === child;
    case 'ConditionalExpression': return parent.test !== child;
    case 'IfStatement': return parent.test !== child && child.type !== 'BlockStatement';
    case 'WhileStatement': case 'DoWhileStatement': case 'ForInStatement': case 'ForOfStatement':
      return parent.body === child && child.type !== 'BlockStatement';
    case 'ForStatement': return parent.update === child || (parent.body === child && child.type !== 'BlockStatement');
    case 'SwitchCase': return parent.test !== child && child.type !== 'BlockStatement';
    case 'ArrowFunctionExpression': return parent.body === child && child.type !== 'BlockStatement';
    default: return false;
  }
}

/**
 * The arrow functions that capture `this` at `ancestors` (the ThisExpression last) and that Espruino may parse
 * without running: 2v29 then stores `this` on a function it did not create (jspeArrowFunction →
 * jsvObjectSetChild(0, …)), an ASSERT on a debug build and a silent no-op on a release build.
 */
function arrowsThisUnexecuted(ancestors) {
  const hits = [];
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const a = ancestors[i];
    if (a.type === 'FunctionExpression' || a.type === 'FunctionDeclaration') break;
    if (a.type !== 'ArrowFunctionExpression') continue;
    for (let j = i - 1; j >= 0; j--) {
      const p = ancestors[j];
      if ((p.type === 'FunctionExpression' || p.type === 'FunctionDeclaration' || p.type === 'ArrowFunctionExpression') &&
        p.body.type === 'BlockStatement') break;
      if (parsedWithoutRunning(p, ancestors[j + 1])) { hits.push(a); break; }
    }
  }
  return hits;
}

function isFunctionNode(n) {
  return n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression';
}

function isScopeNode(n) {
  switch (n.type) {
    case 'Program': case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
    case 'BlockStatement': case 'StaticBlock': case 'SwitchStatement': case 'CatchClause':
    case 'ForStatement': case 'ForInStatement': case 'ForOfStatement': case 'ClassExpression':
      return true;
    default:
      return false;
  }
}

function forEachChild(node, fn) {
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'type' || key === 'start' || key === 'end') continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === 'string') fn(c);
    } else if (v && typeof v.type === 'string') {
      fn(v);
    }
  }
}

function patternNames(p, out) {
  if (!p) return out;
  switch (p.type) {
    case 'Identifier': out.push(p.name); break;
    case 'ObjectPattern': for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop : prop.value, out); break;
    case 'ArrayPattern': for (const el of p.elements) patternNames(el, out); break;
    case 'RestElement': patternNames(p.argument, out); break;
    case 'AssignmentPattern': patternNames(p.left, out); break;
    default: break;
  }
  return out;
}

// var declarations anywhere below `node` that belong to the enclosing function (not nested functions).
function collectVars(node, decls) {
  if (isFunctionNode(node) || node.type === 'ClassBody') return;
  if (node.type === 'VariableDeclaration' && node.kind === 'var') {
    for (const d of node.declarations) for (const name of patternNames(d.id, [])) decls.set(name, { kind: 'var', node: d });
  }
  forEachChild(node, (c) => collectVars(c, decls));
}

function collectLexical(statements, decls) {
  for (const s of statements) {
    if (s.type === 'VariableDeclaration' && s.kind !== 'var') {
      for (const d of s.declarations) for (const name of patternNames(d.id, [])) decls.set(name, { kind: s.kind, node: d });
    } else if (s.type === 'FunctionDeclaration' && s.id) {
      decls.set(s.id.name, { kind: 'function', node: s });
    } else if (s.type === 'ClassDeclaration' && s.id) {
      decls.set(s.id.name, { kind: 'class', node: s });
    } else if ((s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration') && s.declaration) {
      collectLexical([s.declaration], decls);
    } else if (s.type === 'ImportDeclaration') {
      for (const sp of s.specifiers) decls.set(sp.local.name, { kind: 'import', node: sp });
    }
  }
}

const declCache = new WeakMap();

function declaredNames(scope) {
  let decls = declCache.get(scope);
  if (decls) return decls;
  decls = new Map();
  switch (scope.type) {
    case 'Program':
      collectVars(scope, decls);
      collectLexical(scope.body, decls);
      break;
    case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
      if (scope.type === 'FunctionExpression' && scope.id) decls.set(scope.id.name, { kind: 'function-name', node: scope });
      for (const p of scope.params) for (const name of patternNames(p, [])) decls.set(name, { kind: 'param', node: p });
      if (scope.body.type === 'BlockStatement') {
        forEachChild(scope.body, (c) => collectVars(c, decls));
        collectLexical(scope.body.body, decls);
      }
      break;
    case 'BlockStatement':
      collectLexical(scope.body, decls);
      break;
    case 'StaticBlock':
      forEachChild(scope, (c) => collectVars(c, decls));
      collectLexical(scope.body, decls);
      break;
    case 'SwitchStatement':
      for (const c of scope.cases) collectLexical(c.consequent, decls);
      break;
    case 'CatchClause':
      for (const name of patternNames(scope.param, [])) decls.set(name, { kind: 'catch', node: scope });
      break;
    case 'ForStatement':
      if (scope.init && scope.init.type === 'VariableDeclaration' && scope.init.kind !== 'var') collectLexical([scope.init], decls);
      break;
    case 'ForInStatement': case 'ForOfStatement':
      if (scope.left.type === 'VariableDeclaration' && scope.left.kind !== 'var') collectLexical([scope.left], decls);
      break;
    case 'ClassExpression':
      if (scope.id) decls.set(scope.id.name, { kind: 'class', node: scope });
      break;
    default:
      break;
  }
  declCache.set(scope, decls);
  return decls;
}

// Resolves `name` seen at ancestors[ancestors.length - 1]; crossedFunction tells whether a function
// boundary lies between the use and the declaring scope.
function resolve(name, ancestors) {
  let crossedFunction = false;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i];
    if (isScopeNode(a)) {
      const d = declaredNames(a).get(name);
      if (d) return { decl: d, scope: a, crossedFunction };
    }
    if (isFunctionNode(a)) crossedFunction = true;
  }
  return null;
}

function propName(member) {
  if (!member.computed && member.property.type === 'Identifier') return member.property.name;
  if (member.computed && member.property.type === 'Literal' && typeof member.property.value === 'string') return member.property.value;
  return null;
}

function keyName(node) {
  if (!node.computed && node.key.type === 'Identifier') return node.key.name;
  if (node.key.type === 'Literal') return String(node.key.value);
  return null;
}

// Espruino's regex engine has no {n} quantifiers and no assertions besides ^ and $; such patterns
// fail silently (the match just returns false), so they are worth a hard stop.
export function regexProblems(pattern) {
  const problems = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') { i++; continue; }
    if (inClass) { if (c === ']') inClass = false; continue; }
    if (c === '[') { inClass = true; continue; }
    if (c === '(' && pattern[i + 1] === '?') {
      const n = pattern[i + 2];
      if (n === ':') problems.push('non-capturing group (?:');
      else if (n === '=' || n === '!') problems.push('lookahead (?' + n);
      else if (n === '<' && (pattern[i + 3] === '=' || pattern[i + 3] === '!')) problems.push('lookbehind (?<' + pattern[i + 3]);
      else if (n === '<') problems.push('named group (?<');
      continue;
    }
    if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (m) problems.push('quantifier ' + m[0]);
    }
  }
  return problems;
}

function parse(code) {
  const opts = { ecmaVersion: 'latest', locations: true, allowReturnOutsideFunction: true, allowHashBang: true };
  try {
    return acorn.parse(code, Object.assign({ sourceType: 'script' }, opts));
  } catch (scriptError) {
    try {
      return acorn.parse(code, Object.assign({ sourceType: 'module' }, opts));
    } catch (moduleError) {
      throw scriptError;
    }
  }
}

// Calls and references that are evaluated right away when `node` runs: nested function bodies are
// skipped unless the function is invoked on the spot (an IIFE). `shadow` holds names declared between
// here and the statement list being checked. Each entry is {name, node, kind: 'call' | 'ref'}.
function immediateUses(node, shadow, out) {
  if (isFunctionNode(node)) return out;
  const visit = (c) => immediateUses(c, inner, out);
  if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
    if (node.superClass) immediateUses(node.superClass, shadow, out);
    for (const m of node.body.body) {
      if (m.computed) immediateUses(m.key, shadow, out);
      if (m.type === 'PropertyDefinition' && m.static && m.value) immediateUses(m.value, shadow, out);
      if (m.type === 'StaticBlock') immediateUses(m, shadow, out);
    }
    return out;
  }
  let inner = shadow;
  if (isScopeNode(node) && node.type !== 'Program') {
    inner = new Set(shadow);
    for (const name of declaredNames(node).keys()) inner.add(name);
  }
  switch (node.type) {
    case 'Identifier':
      if (!inner.has(node.name)) out.push({ name: node.name, node, kind: 'ref' });
      return out;
    case 'CallExpression': case 'NewExpression': {
      const callee = node.callee;
      if (callee.type === 'Identifier') {
        if (!inner.has(callee.name)) out.push({ name: callee.name, node, kind: 'call' });
      } else if (callee.type === 'FunctionExpression' || callee.type === 'ArrowFunctionExpression') {
        const fnShadow = new Set(inner);
        for (const name of declaredNames(callee).keys()) fnShadow.add(name);
        immediateUses(callee.body, fnShadow, out);
      } else {
        visit(callee);
      }
      node.arguments.forEach(visit);
      return out;
    }
    case 'MemberExpression':
      visit(node.object);
      if (node.computed) visit(node.property);
      return out;
    case 'Property':
      if (node.computed) visit(node.key);
      visit(node.value);
      return out;
    case 'VariableDeclarator':
      if (node.init) visit(node.init);
      return out;
    case 'LabeledStatement':
      visit(node.body);
      return out;
    case 'BreakStatement': case 'ContinueStatement': case 'MetaProperty':
      return out;
    default:
      forEachChild(node, visit);
      return out;
  }
}

function checkStatementList(statements, report) {
  const declaredAt = new Map();
  statements.forEach((s, i) => {
    if (s.type === 'FunctionDeclaration' && s.id) declaredAt.set(s.id.name, { index: i, node: s });
  });
  if (declaredAt.size === 0) return;
  const bodyUses = new Map();
  const usesOf = (fn) => {
    let uses = bodyUses.get(fn);
    if (!uses) {
      uses = immediateUses(fn.body, new Set(declaredNames(fn).keys()), []);
      bodyUses.set(fn, uses);
    }
    return uses;
  };
  for (let i = 0; i < statements.length; i++) {
    for (const use of immediateUses(statements[i], new Set(), [])) {
      // Follow calls through functions of this list that already exist, to find one that does not yet.
      const seen = new Set();
      const queue = [{ name: use.name, kind: use.kind, via: [] }];
      while (queue.length > 0) {
        const item = queue.shift();
        if (seen.has(item.name + ':' + item.kind)) continue;
        seen.add(item.name + ':' + item.kind);
        const target = declaredAt.get(item.name);
        if (!target) continue;
        if (target.index > i) {
          const chain = item.via.length > 0 ? ' (via ' + item.via.join(' → ') + ')' : '';
          const what = item.kind === 'call' ? `${item.name}() is called` : `${item.name} is referenced`;
          report(use.node, 'use-before-declaration', `${what} before its declaration has run${chain}; Espruino does not hoist functions`);
          break;
        }
        if (item.kind === 'call') {
          for (const u of usesOf(target.node)) queue.push({ name: u.name, kind: u.kind, via: item.via.concat(item.name) });
        }
      }
    }
  }
}

/**
 * Checks one bundle's source for forms Espruino 2v29 lacks.
 * @param {string} code
 * @param {string} fileName
 * @returns {{file: string, line: number, column: number, rule: string, message: string}[]}
 * line is 1-based, column is 1-based.
 */
export function checkSource(code, fileName) {
  const findings = [];
  const seen = new Set();
  const report = (node, rule, message) => {
    const loc = node.loc.start;
    const key = `${node.start}:${rule}:${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({ file: fileName, line: loc.line, column: loc.column + 1, rule, message });
  };

  let ast;
  try {
    ast = parse(code);
  } catch (e) {
    const loc = e.loc || { line: 0, column: 0 };
    return [{ file: fileName, line: loc.line, column: loc.column + 1, rule: 'parse-error', message: e.message }];
  }

  const classOf = (decl) => {
    if (!decl) return null;
    const n = decl.node;
    if (n.type === 'ClassDeclaration' || n.type === 'ClassExpression') return n;
    if (n.type === 'VariableDeclarator' && n.init && n.init.type === 'ClassExpression') return n.init;
    return null;
  };
  const staticAssignments = new Map(); // class node → Map name → source offsets of `C.name = …`
  const staticReads = []; // { node, cls, name }
  const loopClosures = new Set();

  walk.fullAncestor(ast, (node, _state, ancestors) => {
    const parent = ancestors[ancestors.length - 2];
    switch (node.type) {
      case 'ObjectPattern': case 'ArrayPattern':
        report(node, 'destructuring', `${node.type === 'ObjectPattern' ? 'object' : 'array'} destructuring pattern`);
        break;
      case 'SpreadElement':
        report(node, 'spread', 'spread syntax ...');
        break;
      case 'RestElement':
        report(node, 'rest', 'rest element ...');
        break;
      case 'AssignmentPattern':
        report(node, 'default-parameter', 'default value in a parameter or pattern');
        break;
      case 'ObjectExpression':
        for (const p of node.properties) {
          if (p.type === 'Property' && p.computed) report(p, 'computed-key', 'computed key in an object literal');
          if (p.type === 'Property' && !p.computed && p.key.type === 'Identifier' && KEYWORD_MEMBERS.has(p.key.name)) {
            report(p.key, 'keyword-member', `property named "${p.key.name}", a keyword: Espruino rejects it as an accessor or class member name`);
          }
        }
        break;
      case 'ClassBody':
        for (const m of node.body) {
          if ((m.type === 'MethodDefinition' || m.type === 'PropertyDefinition') && !m.computed &&
              m.key.type === 'Identifier' && KEYWORD_MEMBERS.has(m.key.name)) {
            report(m.key, 'keyword-member', `class member named "${m.key.name}", a keyword: SyntaxError on Espruino`);
          }
          if ((m.type === 'MethodDefinition' || m.type === 'PropertyDefinition') && m.computed) report(m, 'computed-key', 'computed key in a class');
          if ((m.type === 'MethodDefinition' || m.type === 'PropertyDefinition') && m.key.type === 'PrivateIdentifier') {
            report(m, 'private-member', `private member #${m.key.name}`);
          }
          if (m.type === 'PropertyDefinition' && m.value === null) {
            report(m, 'class-field-without-initializer', `class field ${keyName(m) || '(computed)'} has no initializer`);
          }
        }
        break;
      case 'FunctionDeclaration': case 'FunctionExpression': case 'ArrowFunctionExpression':
        if (node.async) report(node, 'async', 'async function');
        if (node.generator) report(node, 'generator', 'generator function*');
        break;
      case 'AwaitExpression':
        report(node, 'async', 'await');
        break;
      case 'ThisExpression':
        for (const a of arrowsThisUnexecuted(ancestors)) {
          report(a, 'arrow-this-unexecuted', 'arrow function using this where Espruino parses it without running it (a branch, a case, a loop body, an expression-bodied arrow): 2v29 fails ASSERT(jsvHasChildren(obj)) there on a debug build');
        }
        break;
      case 'ForOfStatement':
        if (node.await) report(node, 'async', 'for await');
        break;
      case 'YieldExpression':
        report(node, 'generator', 'yield');
        break;
      case 'LabeledStatement':
        report(node, 'label', `label ${node.label.name}:`);
        break;
      case 'MemberExpression': case 'CallExpression':
        if (node.optional) report(node, 'optional-chaining', 'optional chaining ?.');
        if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier' &&
            KEYWORD_MEMBERS.has(node.property.name) && !KEYWORD_MEMBER_READS_ALLOWED.has(node.property.name)) {
          report(node.property, 'keyword-member', `member .${node.property.name}, a keyword: Espruino rejects it as an accessor or class member name`);
        }
        break;
      case 'BinaryExpression':
        if (node.operator === '**') report(node, 'exponent', 'exponent operator **');
        if (node.left.type === 'PrivateIdentifier') report(node.left, 'private-member', `private brand check #${node.left.name} in`);
        break;
      case 'AssignmentExpression':
        if (node.operator === '**=') report(node, 'exponent', 'exponent assignment **=');
        if (node.operator === '&&=' || node.operator === '||=' || node.operator === '??=') {
          report(node, 'logical-assignment', `logical assignment ${node.operator}`);
        }
        break;
      case 'Literal':
        if (node.bigint !== undefined) report(node, 'missing-global', `BigInt literal ${node.raw}`);
        if (node.regex) {
          for (const p of regexProblems(node.regex.pattern)) report(node, 'regex', `regex /${node.regex.pattern}/ uses ${p}`);
        }
        if (typeof node.value === 'string') {
          for (const [text, helper] of TS_HELPER_STRINGS) {
            if (node.value.includes(text)) report(node, 'ts-helper', `TypeScript helper ${helper} (message "${text.trim()}")`);
          }
        }
        break;
      case 'NewExpression':
        // __awaiter: new (P || (P = Promise))(…)
        if (node.callee.type === 'LogicalExpression' && node.callee.right.type === 'AssignmentExpression' &&
            node.callee.right.right.type === 'Identifier' && node.callee.right.right.name === 'Promise') {
          report(node, 'ts-helper', 'TypeScript helper __awaiter (new (P || (P = Promise)))');
        }
        break;
      case 'Identifier':
        break;
      default:
        break;
    }

    if ((node.type === 'ClassDeclaration' || node.type === 'ClassExpression') && node.superClass) {
      const sc = node.superClass;
      if (sc.type === 'Identifier') {
        if (ERROR_CLASSES.has(sc.name) && !resolve(sc.name, ancestors.concat([sc]))) {
          report(node, 'extends-error', `class ${node.id ? node.id.name : '(anonymous)'} extends ${sc.name}`);
        }
      } else if (sc.type !== 'MemberExpression') {
        report(sc, 'extends-expression', 'class extends an arbitrary expression');
      }
    }

    if (node.type === 'Identifier') {
      const name = node.name;
      if (TS_HELPERS.has(name) || name.startsWith('__classPrivateField')) report(node, 'ts-helper', `TypeScript helper ${name}`);
      const r = resolve(name, ancestors);
      if (!r && MISSING_GLOBALS.has(name)) report(node, 'missing-global', `${name} does not exist on Espruino`);
      if (r && r.crossedFunction) {
        const s = r.scope;
        const loopHead = (s.type === 'ForStatement' && s.init && s.init.type === 'VariableDeclaration') ||
          ((s.type === 'ForInStatement' || s.type === 'ForOfStatement') && s.left.type === 'VariableDeclaration');
        if (loopHead) {
          let fn = null;
          for (let i = ancestors.length - 1; i >= 0 && ancestors[i] !== s; i--) if (isFunctionNode(ancestors[i])) fn = ancestors[i];
          const key = fn.start + ':' + name;
          if (!loopClosures.has(key)) {
            loopClosures.add(key);
            report(fn, 'loop-closure', `closure captures loop variable ${name}; every closure sees its final value on Espruino`);
          }
        }
      }
    }

    if (node.type === 'MemberExpression') {
      if (node.property.type === 'PrivateIdentifier') report(node.property, 'private-member', `private member #${node.property.name}`);
      const name = propName(node);
      const obj = node.object;
      if (name !== null && obj.type === 'Identifier') {
        const r = resolve(obj.name, ancestors.concat([obj]));
        if (!r && MISSING_STATICS[obj.name] && MISSING_STATICS[obj.name].includes(name)) {
          report(node, 'missing-static', `${obj.name}.${name} does not exist on Espruino`);
        }
        if (!r && name === 'getOwnPropertySymbols' && obj.name === 'Object') {
          report(node, 'ts-helper', 'Object.getOwnPropertySymbols (TypeScript helper __rest)');
        }
        const cls = r ? classOf(r.decl) : null;
        if (cls) {
          const isWrite = parent && parent.type === 'AssignmentExpression' && parent.left === node;
          if (isWrite) {
            if (!staticAssignments.has(cls)) staticAssignments.set(cls, new Map());
            const at = staticAssignments.get(cls);
            if (!at.has(name)) at.set(name, []);
            at.get(name).push(node.start);
          } else {
            staticReads.push({ node, cls, name, className: obj.name, ancestors: ancestors.slice() });
          }
        }
      }
      if (name !== null && obj.type === 'MemberExpression' && obj.object.type === 'Identifier' &&
          (obj.object.name === 'Array' || obj.object.name === 'String') && propName(obj) === 'prototype' &&
          !resolve(obj.object.name, ancestors.concat([obj.object]))) {
        report(node, 'prototype-access', `${obj.object.name}.prototype.${name} is undefined on Espruino (use [].${name} / "".${name})`);
      }
    }

    if (node.type === 'CallExpression' || node.type === 'NewExpression') {
      const callee = node.callee.type === 'ChainExpression' ? node.callee.expression : node.callee;
      if (callee.type === 'MemberExpression' && node.type === 'CallExpression') {
        const name = propName(callee);
        if (name === 'finally') report(node, 'promise-finally', '.finally() does not exist on Espruino promises');
        if (name !== null && MISSING_METHODS.has(name)) report(node, 'missing-method', `.${name}() does not exist on Espruino`);
      }
      if (callee.type === 'Identifier' && callee.name === 'RegExp' && !resolve('RegExp', ancestors.concat([callee]))) {
        const arg = node.arguments[0];
        let pattern = null;
        if (arg && arg.type === 'Literal' && typeof arg.value === 'string') pattern = arg.value;
        if (arg && arg.type === 'TemplateLiteral' && arg.expressions.length === 0) pattern = arg.quasis[0].value.cooked;
        if (pattern !== null) for (const p of regexProblems(pattern)) report(node, 'regex', `RegExp("${pattern}") uses ${p}`);
      }
    }

    if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock') checkStatementList(node.body, report);
    if (node.type === 'SwitchCase') checkStatementList(node.consequent, report);
  });

  // Static members are not inherited on Espruino: Sub.m is undefined when only a superclass defines m.
  // An assignment `C.m = …` makes m C's own only for reads that come after it in the source.
  const ownStatics = (cls, before) => {
    const names = new Set();
    const assigned = staticAssignments.get(cls);
    if (assigned) for (const [name, offsets] of assigned) if (offsets.some((o) => o < before)) names.add(name);
    for (const m of cls.body.body) {
      if (m.static && (m.type === 'MethodDefinition' || m.type === 'PropertyDefinition')) {
        const k = keyName(m);
        if (k !== null) names.add(k);
      }
    }
    return names;
  };
  const superOf = (cls, ancestorsAtUse) => {
    if (!cls.superClass || cls.superClass.type !== 'Identifier') return null;
    const r = resolve(cls.superClass.name, ancestorsAtUse);
    return r ? classOf(r.decl) : null;
  };
  for (const read of staticReads) {
    if (read.cls.superClass === null || ownStatics(read.cls, read.node.start).has(read.name)) continue;
    const visited = new Set([read.cls]);
    let sup = superOf(read.cls, read.ancestors);
    while (sup && !visited.has(sup)) {
      visited.add(sup);
      if (ownStatics(sup, Infinity).has(read.name)) {
        const supName = sup.id ? sup.id.name : '(anonymous)';
        report(read.node, 'static-through-subclass',
          `${read.className}.${read.name} reads a static of superclass ${supName}; statics are not inherited on Espruino`);
        break;
      }
      sup = superOf(sup, read.ancestors);
    }
  }

  findings.sort((a, b) => a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return findings;
}

export function formatFinding(f) {
  return `${f.file}:${f.line}:${f.column} ${f.rule} — ${f.message}`;
}

/**
 * The board a bundle is for (`<board>.js` or `<app>-<board>.js`, the longest board name that fits), or undefined.
 * @param {string} fileName
 * @param {string[]} boards the board files' names
 */
export function bundleBoard(fileName, boards) {
  const base = path.basename(fileName, '.js');
  const hits = boards.filter((b) => base === b || base.endsWith('-' + b));
  return hits.sort((a, b) => b.length - a.length)[0];
}

/** bytes espruino-tools adds around a file it writes into Storage (its header), which the Storage area must hold too */
export const STORAGE_FILE_HEADER = 32;

/** the bundle holding the runtime alone for a board (rollup.config.js): the one its budget's application room is held to */
export const RUNTIME_BUNDLE_PREFIX = 'bring-up-';

/**
 * Whether a board bundle fits its budget's Storage: every bundle, pretokenised as flashed, must fit, and the runtime's
 * (bring-up-<board>.js) must leave the application `appStorageBytes`. Returns the problem, or '' when it fits.
 * @param {string} fileName
 * @param {number} flashed bytes as flashed
 * @param {{storageBytes: number, appStorageBytes: number}} budget
 */
export function storageProblem(fileName, flashed, budget) {
  const used = flashed + STORAGE_FILE_HEADER;
  if (used > budget.storageBytes) return `DOES NOT FIT: ${used} bytes with its Storage header, ${budget.storageBytes} bytes of Storage`;
  if (path.basename(fileName).startsWith(RUNTIME_BUNDLE_PREFIX) && used + budget.appStorageBytes > budget.storageBytes) {
    return `leaves ${budget.storageBytes - used} bytes for the application, budget ${budget.appStorageBytes}`;
  }
  return '';
}

/**
 * Loads espruino-tools' pretokeniser (the one `npm run flash` uploads through) and calls `ready` with
 * a function that gives the size of a bundle as it is written into Storage.
 * @param {(flashedSize: (code: string) => number) => void} ready
 */
export function withFlashedSize(ready) {
  const log = console.log;
  console.log = () => {}; // espruino-tools announces every plugin it initialises
  createRequire(import.meta.url)('espruino').init(() => {
    console.log = log;
    const tokenise = globalThis.Espruino.Plugins.Pretokenise.tokenise;
    ready((code) => Buffer.byteLength(tokenise(code), 'latin1'));
  });
}

/**
 * Checks every *.js directly in `dir`: the language rules, and for a board's bundle its board's Storage budget.
 * A board whose budget says it is not met yet (`unmet`) has its overrun printed as known, and fails once it fits.
 * Returns the process exit code.
 * @param {string} dir
 * @param {{log: (s: string) => void, error: (s: string) => void}} out
 * @param {(code: string) => number} [flashedSize] bytes the bundle takes in Storage; without it, its size
 * @param {Record<string, {storageBytes: number, appStorageBytes: number, unmet?: string, variablesOver?: boolean}>} [budgets] per
 *   board file; `variablesOver`: its runtime is over its variable budget (then an `unmet` board does not fit yet either)
 */
export function checkDir(dir, out, flashedSize, budgets) {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    out.error(`check-bundle: ${dir} does not exist; run \`npm run build\` first`);
    return 1;
  }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
  if (files.length === 0) {
    out.error(`check-bundle: no bundles (*.js) in ${dir}; run \`npm run build\` first`);
    return 1;
  }
  const boards = Object.keys(budgets || {});
  const findings = [];
  const overruns = [];
  const known = new Map();
  for (const f of files) {
    const file = path.join(dir, f);
    const code = fs.readFileSync(file, 'utf8');
    const size = Buffer.byteLength(code, 'utf8');
    const board = bundleBoard(f, boards);
    let room = '';
    if (board !== undefined) {
      const budget = budgets[board];
      const flashed = flashedSize ? flashedSize(code) : size;
      const problem = storageProblem(f, flashed, budget);
      room = `, ${flashed} pretokenised (${board} flash Storage ${budget.storageBytes} bytes: ${problem || 'fits'}${problem && budget.unmet ? '; known: ' + budget.unmet : ''})`;
      if (problem && !budget.unmet) overruns.push(`${file}: ${problem}`);
      if (budget.unmet) known.set(board, (known.get(board) || false) || !!problem || !!budget.variablesOver);
    }
    out.log(`${file}: ${size} bytes${room}`);
    findings.push(...checkSource(code, file));
  }
  for (const [board, over] of known) if (!over) overruns.push(`boards/${board}.ts: every bundle fits now; remove its budget's \`unmet\``);
  out.log(`${files.length} bundles checked, ${findings.length} findings, ${overruns.length} over their board's Storage`);
  for (const f of findings) out.error(formatFinding(f));
  for (const o of overruns) out.error(o);
  return findings.length > 0 || overruns.length > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] || 'dist';
  // the board files are TypeScript: this part runs under tsx (npm run check:bundle)
  const { knownBoards, readBudget } = await import('../sim/board/wiring.ts');
  const { checkRuntimeVariables } = await import('./board-budget.ts');
  const budgets = {};
  for (const b of knownBoards()) budgets[b] = readBudget(b);
  // the runtime's variables after load and after bring-up, on the virtual board, within each board's budget
  const lines = [];
  const errors = [];
  for (const b of Object.keys(budgets).sort()) {
    const file = path.join(dir, RUNTIME_BUNDLE_PREFIX + b + '.js');
    if (!fs.existsSync(file)) continue;
    const r = checkRuntimeVariables(fs.readFileSync(file, 'utf8'), b);
    budgets[b].variablesOver = r.problems.length > 0;
    const known = r.problems.length > 0 && budgets[b].unmet ? `; known: ${budgets[b].unmet}` : '';
    lines.push(`${file}: ${r.figures.afterLoad} variables after load, ${r.figures.afterBringUp} after bring-up ` +
      `(runtime budget ${r.budget.runtimeVariables} of ${r.budget.variables}: ${r.problems.length ? 'OVER' : 'within'}${known})`);
    if (!budgets[b].unmet) for (const p of r.problems) errors.push(`${file}: ${p}`);
  }
  withFlashedSize((flashedSize) => {
    const code = checkDir(dir, { log: (s) => console.log(s), error: (s) => console.error(s) }, flashedSize, budgets);
    for (const l of lines) console.log(l);
    for (const e of errors) console.error(e);
    process.exitCode = errors.length > 0 ? 1 : code;
  });
}
