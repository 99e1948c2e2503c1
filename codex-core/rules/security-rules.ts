import { Node, SyntaxKind } from 'ts-morph';
import type { FileReporter } from '../reporter';
import { assignedName, calleeModule, calleeName, identifierWords, isFunctionLike, isTestOrBenchmark, type SyntaxIndex } from './syntax-index';
import { findBacktracking } from './regex-backtracking';
import { isValidatedInput } from './input-guards';
import { isTrustedText } from './trusted-text';
import { isConstant, isInterpolatedString, isUntrustedObject, isUserInput, literalText, unwrap, variableInitializerOf } from './value-flow';

const VM_RUNNERS = new Set(['runInNewContext', 'runInThisContext', 'runInContext', 'compileFunction']);
const SHELL_RUNNERS = new Set(['exec', 'execSync']);
const SPAWNERS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync']);
const QUERY_METHODS = new Set(['query', 'execute', 'exec', 'raw', 'unsafe', 'run', 'all', 'get', 'prepare', '$queryRawUnsafe', '$executeRawUnsafe', 'queryRawUnsafe', 'executeRawUnsafe', 'many', 'one', 'none', 'any', 'oneOrNone', 'manyOrNone']);
const SQL_TEXT = /\b(select\s[\s\S]*\bfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|create\s+table|drop\s+table|alter\s+table|where\s)/i;
const FS_PATH_CALLS = new Set(['readFile', 'readFileSync', 'writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createReadStream', 'createWriteStream',
  'unlink', 'unlinkSync', 'rm', 'rmSync', 'readdir', 'readdirSync', 'open', 'openSync', 'stat', 'statSync', 'access', 'accessSync', 'sendFile', 'download', 'copyFile', 'copyFileSync', 'rename', 'renameSync', 'mkdir', 'mkdirSync']);
const MERGERS = new Set(['merge', 'mergeWith', 'defaultsDeep', 'deepMerge', 'extend', 'deepExtend', 'assignDeep', 'mergeDeep']);

/** Known credential formats: a match is a secret whatever it is called. */
const KNOWN_SECRET_FORMATS: { name: string; pattern: RegExp; sampleInTests?: boolean }[] = [
  { name: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a GitHub token', pattern: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{60,}/ },
  { name: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { name: 'a Stripe live key', pattern: /\b[sr]k_live_[A-Za-z0-9]{20,}/ },
  { name: 'an OpenAI-style API key', pattern: /\bsk-(proj-)?[A-Za-z0-9_-]{32,}/ },
  { name: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'a private key', pattern: /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/ },
  { name: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, sampleInTests: true },
];
const SECRET_WORDS = new Set(['secret', 'password', 'passwd', 'pwd', 'token', 'apikey', 'credential', 'credentials', 'auth', 'private']);
const PLACEHOLDER = /^(x+|\*+|changeme|change-me|your[-_ ].*|<.*>|\$\{.*\}|example.*|dummy.*|test.*|placeholder.*|redacted)$/i;
/** Calls that take a key or secret at this argument position (jsonwebtoken, node:crypto). */
const KEY_ARGUMENTS = new Map([['sign', 1], ['verify', 1], ['createHmac', 1], ['createCipheriv', 1], ['createDecipheriv', 1], ['createSecretKey', 0]]);
/** Calls whose result carries their argument's value: the result's name says what the literal is. */
const PASS_THROUGH = new Set(['from', 'String', 'trim', 'toString', 'encode']);
const RANDOM_WORDS = new Set(['token', 'secret', 'nonce', 'salt', 'password', 'session', 'otp', 'uuid', 'guid', 'id', 'csrf', 'apikey', 'ids']);
/**
 * `key` is a secret only as an API, signing or encryption key; a lone `key` or a `cacheKey`,
 * `locationKey` or React `key` names an entry, where Math.random is fine.
 */
const SECRET_KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'access', 'auth', 'signing', 'sign', 'encryption', 'crypto', 'hmac', 'aes', 'license', 'invite', 'activation', 'verification', 'recovery', 'reset']);

/** True for the words of a secret key's name (`apiKey`, `PRIVATE_KEY`, `hmacSigningKey`), not of a lookup key's. */
function isSecretKeyName(words: readonly string[]): boolean {
  return words.includes('key') && words.some((word) => SECRET_KEY_QUALIFIERS.has(word));
}

/**
 * True when `node` is (or names a variable holding) an options object with a `root`: Express's
 * `res.sendFile(path, { root })` and `res.download` resolve the path inside that folder and refuse
 * one that climbs out of it (Node-RED serves `/debug/view/*` that way).
 */
function hasRootOption(node: Node): boolean {
  let value = unwrap(node);
  if (Node.isIdentifier(value)) value = variableInitializerOf(value) ?? value;
  return Node.isObjectLiteralExpression(value) && value.getProperties().some((property) =>
    (Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property)) && property.getName() === 'root');
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const character of text) counts.set(character, (counts.get(character) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Last words of a name that make it about a secret rather than the secret itself: the pattern a
 * token must match (`TOKEN_ENV_PATTERN`, found on this repository's federation API), the header or
 * variable it is read from, its label. The name's last word says what the value is.
 */
const DESCRIBING_WORDS = new Set(['pattern', 'patterns', 'regex', 'regexp', 're', 'format', 'template', 'name', 'names', 'label',
  'prefix', 'suffix', 'header', 'headers', 'field', 'param', 'env', 'var', 'variable', 'type', 'kind', 'length', 'description', 'message', 'hint', 'placeholder', 'schema']);

function hasSecretName(name: string | undefined): boolean {
  if (!name) return false;
  const words = identifierWords(name);
  if (DESCRIBING_WORDS.has(words.at(-1) ?? '')) return false;
  if (isSecretKeyName(words)) return true;
  return words.some((word) => SECRET_WORDS.has(word));
}

/**
 * True for the source of a regular expression (`^CODEX_(UPSTREAM|PEER)_TOKEN_[A-Z0-9_]{1,64}$`):
 * anchored, with a character class, group or repetition. Its character mix is high-entropy, but
 * no credential is written that way.
 */
function isPatternSource(text: string): boolean {
  return (text.startsWith('^') || text.endsWith('$')) && /\\[dwsbDWSB]|\[[^\]]+\]|\{\d+(,\d*)?\}|\([^)]*\|[^)]*\)|\.[*+]/.test(text);
}

/**
 * True for a URL, an absolute or relative path, or a query string (`/api/oauth/authorize?scope=all&client_id=`):
 * an address that mentions auth or tokens, not a credential. One with a password in it
 * (`https://user:pass@host`) is not an address here.
 */
function isAddress(text: string): boolean {
  if (/\/\/[^/\s:@]+:[^/\s@]+@/.test(text)) return false;
  return /^([a-z][a-z0-9+.-]*:\/\/|\.{0,2}\/)/i.test(text) || /[?&][A-Za-z_][\w.-]*=/.test(text);
}

/**
 * True for text that names something rather than hides it: a camelCase or namespaced name
 * (`hostSettings:mailEventsPayloadSigningKey`, a settings key under a `…_SIGNING_KEY` constant in
 * Ghost) or an ALL_CAPS constant (`DEFAULT_WEBHOOK_SECRET`): letters only, in words of two letters or
 * more and three on average. Random letters split into one- and two-letter words; a passphrase of
 * lowercase words (`correct-horse-battery-staple`) has neither humps nor namespaces and still counts.
 */
function isIdentifierName(text: string): boolean {
  if (!/^[A-Za-z]+([:._/-][A-Za-z]+)*$/.test(text)) return false;
  if (!/[a-z][A-Z]/.test(text) && !/^[A-Z]+(_[A-Z]+)+$/.test(text) && !/[:.]/.test(text)) return false;
  const words = identifierWords(text);
  return words.length > 0 && words.every((word) => word.length >= 2) && text.replace(/[^A-Za-z]/g, '').length / words.length >= 3;
}

function shellOption(call: import('ts-morph').CallExpression): boolean {
  return call.getArguments().some((argument) => Node.isObjectLiteralExpression(argument)
    && argument.getProperties().some((property) => Node.isPropertyAssignment(property) && property.getName() === 'shell' && property.getInitializer()?.getText() !== 'false'));
}

/** Runs every security rule over one file. */
export function securityRules(index: SyntaxIndex, reporter: FileReporter, relativeFile: string): void {
  const report = (ruleId: string, node: Node, message: string, suggestion?: string): void =>
    reporter.report({ ruleId, start: node.getStart(), end: node.getEnd(), message, ...(suggestion ? { suggestion } : {}) });

  for (const call of [...index.of(SyntaxKind.CallExpression), ...index.of(SyntaxKind.NewExpression)]) {
    const callee = call.getExpression();
    const name = calleeName(callee);
    const args = call.getArguments();
    const first = args[0];
    const isNew = Node.isNewExpression(call);
    const module = calleeModule(call);

    if (reporter.wants('security-dynamic-code')) {
      const dynamic = (name === 'eval' && Node.isIdentifier(callee) && !isNew)
        || (name === 'Function' && Node.isIdentifier(callee))
        || (name !== undefined && VM_RUNNERS.has(name) && module === 'vm')
        || (isNew && name === 'Script' && module === 'vm');
      const parts = name === 'Function' ? args : first ? [first] : [];
      if (dynamic && parts.some((part) => !isConstant(part))) {
        report('security-dynamic-code', call, `${name} runs code built from a non-literal value`, 'Avoid running generated code; parse the input or use a sandbox with an allow-list.');
      }
    }

    if (isNew || !name || !first) continue;

    if (reporter.wants('security-shell-injection') && module === 'child_process') {
      if ((SHELL_RUNNERS.has(name) && isInterpolatedString(first)) || (SPAWNERS.has(name) && shellOption(call) && (isInterpolatedString(first) || args.slice(1).some((argument) => Node.isArrayLiteralExpression(argument) && argument.getElements().some((element) => !isConstant(element)))))) {
        report('security-shell-injection', first, `the shell command passed to ${name} is built from interpolated values`, 'Use execFile/spawn with an argument array and no shell.');
      }
    }

    if (reporter.wants('security-sql-injection') && QUERY_METHODS.has(name) && Node.isPropertyAccessExpression(callee)
      && isInterpolatedString(first) && SQL_TEXT.test(literalText(first)) && !isTrustedText(first)) {
      report('security-sql-injection', first, `SQL built by interpolation is passed to ${name}()`, 'Pass values as query parameters ($1, ?) or use a tagged sql`` template.');
    }

    if (reporter.wants('security-path-traversal') && FS_PATH_CALLS.has(name)
      && (module === 'fs' || module === 'fs/promises' || name === 'sendFile' || name === 'download' || /^(fs|fsp|fsPromises|promises)$/.test(Node.isPropertyAccessExpression(callee) ? callee.getExpression().getText() : ''))) {
      if (isUserInput(first) && !((name === 'sendFile' || name === 'download') && args.slice(1).some(hasRootOption)) && !isValidatedInput(call, first)) report('security-path-traversal', first, `user input flows into the path passed to ${name}`, 'Resolve the path against a base folder and check that the result stays inside it.');
    }

    if (reporter.wants('security-prototype-pollution')) {
      const merging = (name === 'assign' && callee.getText() === 'Object.assign') || MERGERS.has(name);
      if (merging && args.slice(1).some((argument) => isUntrustedObject(argument))) {
        report('security-prototype-pollution', call, `${callee.getText()} merges an untrusted object`, 'Validate the input against a schema first, or copy only known keys into an object created with Object.create(null).');
      }
    }
  }

  if (reporter.wants('security-prototype-pollution')) recursiveMerges(index, report);

  if (reporter.wants('security-hardcoded-secret')) {
    // Tests and benchmarks hold sample tokens and fake passwords; real key formats are reported there
    // too. The path is taken inside the project, so a project kept under a `tests/` folder is not all tests.
    const inTest = isTestOrBenchmark(relativeFile);
    for (const literal of [...index.of(SyntaxKind.StringLiteral), ...index.of(SyntaxKind.NoSubstitutionTemplateLiteral)]) {
      const text = literal.getLiteralValue();
      const parent = literal.getParent();
      if (parent && (Node.isImportDeclaration(parent) || Node.isExportDeclaration(parent) || Node.isLiteralTypeNode(parent))) continue;
      const known = KNOWN_SECRET_FORMATS.find((format) => format.pattern.test(text) && !(inTest && format.sampleInTests));
      if (known) {
        report('security-hardcoded-secret', literal, `this string looks like ${known.name}`, 'Read it from the environment or a secret store, and rotate the exposed credential.');
        continue;
      }
      if (inTest || text.length < 16 || /\s/.test(text) || PLACEHOLDER.test(text) || isAddress(text) || isIdentifierName(text) || isPatternSource(text) || entropy(text) < 3.5) continue;
      const call = parent && (Node.isCallExpression(parent) || Node.isNewExpression(parent)) && parent.getArguments().includes(literal) ? parent : undefined;
      if (call) {
        // An argument is the call's input (a module to require, a header to read): a secret where the
        // callee takes a key, otherwise only a value passed through (`Buffer.from(...)`) takes the
        // name of what the result is assigned to.
        const callee = calleeName(call.getExpression()) ?? '';
        if (KEY_ARGUMENTS.get(callee) === call.getArguments().indexOf(literal)) {
          report('security-hardcoded-secret', literal, `a high-entropy literal is passed as the key of ${callee}()`, 'Read it from the environment or a secret store.');
          continue;
        }
        if (!PASS_THROUGH.has(callee)) continue;
      }
      if (hasSecretName(assignedName(literal))) {
        report('security-hardcoded-secret', literal, `a high-entropy literal is assigned to ${assignedName(literal)}`, 'Read it from the environment or a secret store.');
      }
    }
  }

  if (reporter.wants('security-tls-disabled')) {
    for (const property of index.of(SyntaxKind.PropertyAssignment)) {
      const name = property.getName().replace(/^['"]|['"]$/g, '');
      const value = property.getInitializer()?.getText();
      if ((name === 'rejectUnauthorized' || name === 'strictSSL' || name === 'verifySsl' || name === 'verify') && value === 'false' && (name !== 'verify' || /tls|ssl|https|agent/i.test(property.getParent().getParent()?.getText().slice(0, 200) ?? ''))) {
        report('security-tls-disabled', property, `${name}: false turns off TLS certificate verification`, 'Keep verification on; trust a private CA with the `ca` option instead.');
      }
    }
    for (const binary of index.of(SyntaxKind.BinaryExpression)) {
      if (binary.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
      if (/NODE_TLS_REJECT_UNAUTHORIZED['"\]]*$/.test(binary.getLeft().getText()) && /^['"`]?0['"`]?$/.test(binary.getRight().getText())) {
        report('security-tls-disabled', binary, 'NODE_TLS_REJECT_UNAUTHORIZED=0 turns off TLS verification for the whole process', 'Remove it; trust a private CA with NODE_EXTRA_CA_CERTS instead.');
      }
    }
  }

  if (reporter.wants('security-insecure-random')) {
    for (const call of index.of(SyntaxKind.CallExpression)) {
      if (call.getExpression().getText() !== 'Math.random') continue;
      // Walk up through the arithmetic and string building around the call to the name it gets.
      let holder: Node = call;
      let name: string | undefined;
      for (let depth = 0; depth < 8 && !name; depth++) {
        name = assignedName(holder);
        const parent = holder.getParent();
        if (!parent || Node.isStatement(parent) || isFunctionLike(parent)) break;
        holder = parent;
      }
      const words = identifierWords(name ?? '');
      if (isSecretKeyName(words) || words.some((word) => RANDOM_WORDS.has(word))) {
        report('security-insecure-random', call, `Math.random is not a secure source for ${name}`, 'Use crypto.randomUUID() or crypto.randomBytes().');
      }
    }
  }

  if (reporter.wants('security-redos')) {
    const check = (node: Node, pattern: string, flags: string): void => {
      const problem = findBacktracking(pattern, flags);
      if (problem) report('security-redos', node, `this regular expression can backtrack catastrophically: ${problem}`, 'Remove the nested or overlapping quantifier, or bound the repetition.');
    };
    for (const literal of index.of(SyntaxKind.RegularExpressionLiteral)) {
      const text = literal.getText();
      check(literal, text.slice(1, text.lastIndexOf('/')), text.slice(text.lastIndexOf('/') + 1));
    }
    for (const call of [...index.of(SyntaxKind.NewExpression), ...index.of(SyntaxKind.CallExpression)]) {
      if (call.getExpression().getText() !== 'RegExp') continue;
      const first = call.getArguments()[0];
      const flags = call.getArguments()[1];
      if (first && (Node.isStringLiteral(first) || Node.isNoSubstitutionTemplateLiteral(first))) {
        check(call, first.getLiteralValue(), flags && (Node.isStringLiteral(flags) || Node.isNoSubstitutionTemplateLiteral(flags)) ? flags.getLiteralValue() : '');
      }
    }
  }
}

/**
 * A hand-written deep merge (`target[key] = ...` for every key of a source, recursing for nested
 * objects) that never guards `__proto__`/`constructor`: any caller that passes parsed JSON pollutes
 * Object.prototype.
 */
function recursiveMerges(index: SyntaxIndex, report: (ruleId: string, node: Node, message: string, suggestion?: string) => void): void {
  for (const loop of index.of(SyntaxKind.ForInStatement)) {
    const fn = loop.getFirstAncestor(isFunctionLike);
    if (!fn) continue;
    const fnName = Node.isFunctionDeclaration(fn) ? fn.getName() : fn.getParent() && Node.isVariableDeclaration(fn.getParent()!) ? (fn.getParent() as import('ts-morph').VariableDeclaration).getName() : undefined;
    if (!fnName) continue;
    const key = loop.getInitializer().getText().replace(/^(const|let|var)\s+/, '');
    const body = fn.getText();
    if (/__proto__|constructor|hasOwnProperty|Object\.hasOwn|isSafeKey|prototype/.test(body)) continue;
    const recursive = fn.getDescendantsOfKind(SyntaxKind.CallExpression).some((call) => calleeName(call.getExpression()) === fnName);
    // Merging into an object the caller passed in; filling a fresh local object cannot pollute anything.
    const parameters = new Set((fn as unknown as { getParameters(): { getName(): string }[] }).getParameters().map((parameter) => parameter.getName()));
    const assignsByKey = loop.getDescendantsOfKind(SyntaxKind.BinaryExpression).some((binary) => {
      const left = binary.getLeft();
      return binary.getOperatorToken().getKind() === SyntaxKind.EqualsToken && Node.isElementAccessExpression(left) && left.getArgumentExpression()?.getText() === key
        && parameters.has(left.getExpression().getText());
    });
    if (recursive && assignsByKey) {
      report('security-prototype-pollution', loop, `${fnName} copies every key recursively without guarding __proto__ and constructor`, 'Skip the keys __proto__, constructor and prototype, or copy into Object.create(null).');
    }
  }
}
