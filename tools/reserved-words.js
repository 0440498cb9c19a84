// Words that cannot be a member name on Espruino 2v29: its lexer turns each into a keyword token
// (src/jslex.h, LEX_R_IF … LEX_R_OF), and a class body, a `static`/`get`/`set` member and an object
// accessor accept only a plain identifier there (src/jsparse.c), so `class X { do() {} }` is a
// SyntaxError. The rest of ECMAScript's keywords and reserved words are listed as well: a minifier
// that never produces any of them cannot trip over the difference between engines.
export const ESPRUINO_RESERVED = [
  'if', 'else', 'do', 'while', 'for', 'break', 'continue', 'function', 'return', 'var', 'let', 'const', 'this',
  'throw', 'try', 'catch', 'finally', 'true', 'false', 'null', 'undefined', 'new', 'in', 'instanceof', 'switch',
  'case', 'default', 'delete', 'typeof', 'void', 'debugger', 'class', 'extends', 'super', 'static', 'of',
];

export const ECMASCRIPT_RESERVED = [
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else',
  'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'implements', 'import', 'in',
  'instanceof', 'interface', 'let', 'new', 'null', 'package', 'private', 'protected', 'public', 'return', 'static',
  'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
];

/** every word above, once, sorted */
export const RESERVED_WORDS = [...new Set([...ESPRUINO_RESERVED, ...ECMASCRIPT_RESERVED])].sort();
