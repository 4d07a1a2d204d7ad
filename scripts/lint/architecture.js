// @ts-check
/**
 * Sightline's own lint rules: the architecture of docs/architecture.md, checked on every
 * `npm run lint` instead of remembered.
 *
 *   sightline/layers          which folders may import which (lib never imports app/ or
 *                             components/; only data.ts, mutations.ts and lib/db open the database)
 *   sightline/client-boundary  a 'use client' module, and everything it imports, never reaches
 *                             server-only code (the database, data/mutations, guards, Node built-ins…)
 *
 * Plain JavaScript because ESLint loads it directly. Imports are resolved the way tsconfig.json
 * resolves them ('@/x' is the repository root, relative paths from the importing file), so the
 * same module is recognised whichever way it is spelt.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

const EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'];

/** '**' any folders, '*' any characters but '/'; matched against repository-relative paths. */
function globToRegExp(glob) {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // '**/' matches zero or more whole folders; a trailing '**' matches the rest.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** @param {string[]} globs */
function matcher(globs) {
  const patterns = globs.map(globToRegExp);
  return (/** @type {string} */ file) => patterns.some((p) => p.test(file));
}

/**
 * What an import specifier names: a file of the repository (its path relative to the root, with
 * its extension when it exists) or a package (the specifier as written, `node:` added to
 * built-ins, so that 'next-auth' and 'next-auth/react' can be told apart).
 * @returns {{ kind: 'file', file: string } | { kind: 'package', name: string }}
 */
function resolveSpecifier(specifier, importer, root) {
  let target = null;
  if (specifier.startsWith('@/')) target = path.join(root, specifier.slice(2));
  else if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    target = path.resolve(path.dirname(importer), specifier);
  }
  if (target === null) {
    if (specifier.startsWith('node:') || isBuiltin(specifier)) return { kind: 'package', name: `node:${specifier.replace(/^node:/, '')}` };
    return { kind: 'package', name: specifier };
  }
  const candidates = [target, ...EXTENSIONS.map((e) => target + e), ...EXTENSIONS.map((e) => path.join(target, `index${e}`))];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return {
    kind: 'file',
    file: path
      .relative(root, found ?? target)
      .split(path.sep)
      .join('/'),
  };
}

const withoutExtension = (file) => file.replace(/\.(d\.ts|ts|tsx|js|mjs|cjs)$/, '');

/** The string directives at the top of a module ('use client', 'use server'). */
function directivesOf(statements) {
  const found = [];
  for (const s of statements) {
    if (s.type === 'ExpressionStatement' && s.directive) found.push(s.directive);
    else break;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// sightline/layers

/** @type {import('eslint').Rule.RuleModule} */
const layers = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps imports flowing one way: app → lib → lib/db, with the database opened only by data.ts and mutations.ts.' },
    schema: [
      {
        type: 'object',
        properties: {
          rules: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                from: { type: 'array', items: { type: 'string' } },
                except: { type: 'array', items: { type: 'string' } },
                disallow: { type: 'array', items: { type: 'string' } },
                allowTypeImports: { type: 'boolean' },
                message: { type: 'string' },
              },
              required: ['disallow', 'message'],
              additionalProperties: false,
            },
          },
        },
        required: ['rules'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const applicable = context.options[0].rules
      .filter((r) => (r.from ? matcher(r.from)(file) : true) && !(r.except && matcher(r.except)(file)))
      .map((r) => ({ ...r, forbids: matcher(r.disallow) }));
    if (applicable.length === 0) return {};

    const check = (node, source, typeOnly) => {
      if (typeof source !== 'string') return;
      const resolved = resolveSpecifier(source, context.filename, root);
      const name = resolved.kind === 'file' ? withoutExtension(resolved.file) : resolved.name;
      for (const rule of applicable) {
        if (typeOnly && rule.allowTypeImports) continue;
        if (rule.forbids(name)) context.report({ node, message: `${rule.message} ('${source}' from ${file})` });
      }
    };
    return {
      ImportDeclaration(node) {
        const typeOnly =
          node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type'));
        check(node, node.source.value, typeOnly);
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value, node.exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value, node.exportKind === 'type');
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, node.source.value, false);
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// sightline/client-boundary

/**
 * The value imports of a module on disk (type-only imports are erased and cost the browser
 * nothing), and its directives. Read with TypeScript's parser; cached by modification time so
 * that a lint run reads each module once however many client components reach it.
 */
const moduleCache = new Map();
function moduleInfo(absolute) {
  const mtime = statSync(absolute).mtimeMs;
  const cached = moduleCache.get(absolute);
  if (cached && cached.mtime === mtime) return cached;
  const text = readFileSync(absolute, 'utf8');
  const kind = absolute.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(absolute, text, ts.ScriptTarget.Latest, false, kind);
  const directives = [];
  for (const s of source.statements) {
    if (ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression)) directives.push(s.expression.text);
    else break;
  }
  const imports = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) imports.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) imports.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) imports.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const info = { mtime, directives, imports };
  moduleCache.set(absolute, info);
  return info;
}

/** @type {import('eslint').Rule.RuleModule} */
const clientBoundary = {
  meta: {
    type: 'problem',
    docs: { description: "A 'use client' module and everything it imports stay clear of server-only modules and packages." },
    schema: [
      {
        type: 'object',
        properties: {
          serverModules: { type: 'array', items: { type: 'string' } },
          serverPackages: { type: 'array', items: { type: 'string' } },
        },
        required: ['serverModules', 'serverPackages'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const root = context.cwd;
    const { serverModules, serverPackages } = context.options[0];
    const isServerModule = matcher(serverModules);
    const isServerPackage = matcher(serverPackages);

    /**
     * The chain from `file` to the first server-only module it reaches, or null. A 'use server'
     * module ends the walk: a client importing it gets references to server actions, not code.
     */
    const chains = new Map();
    // A walk cut short by an import cycle proves nothing about the modules it passed, so their
    // "reaches nothing" is not remembered.
    let cycles = 0;
    const reach = (file, visiting) => {
      if (chains.has(file)) return chains.get(file);
      if (isServerModule(withoutExtension(file))) return [file];
      if (visiting.has(file)) {
        cycles++;
        return null;
      }
      const absolute = path.join(root, file);
      if (!/\.(tsx?|m?js)$/.test(file) || !existsSync(absolute)) return null;
      const info = moduleInfo(absolute);
      if (info.directives.includes('use server')) return null;
      visiting.add(file);
      const cyclesBefore = cycles;
      let found = null;
      for (const specifier of info.imports) {
        found = reachFrom(specifier, absolute, visiting);
        if (found) break;
      }
      visiting.delete(file);
      const chain = found ? [file, ...found] : null;
      if (chain || cycles === cyclesBefore) chains.set(file, chain);
      return chain;
    };
    const reachFrom = (specifier, importer, visiting) => {
      const resolved = resolveSpecifier(specifier, importer, root);
      if (resolved.kind === 'package') {
        return isServerPackage(resolved.name) || (resolved.name.startsWith('node:') && isServerPackage('node:*')) ? [resolved.name] : null;
      }
      return reach(resolved.file, visiting);
    };

    let isClient = false;
    return {
      Program(node) {
        isClient = directivesOf(node.body).includes('use client');
      },
      ImportDeclaration(node) {
        if (!isClient || node.importKind === 'type') return;
        if (node.specifiers.length > 0 && node.specifiers.every((s) => s.type === 'ImportSpecifier' && s.importKind === 'type')) return;
        const chain = reachFrom(String(node.source.value), context.filename, new Set());
        if (chain) {
          context.report({
            node,
            message: `A 'use client' module must not reach server-only code: ${['this module', ...chain].join(' → ')}. Pass the data in as props, call an API route or a server action instead.`,
          });
        }
      },
      'ExportNamedDeclaration, ExportAllDeclaration'(node) {
        if (!isClient || !node.source || node.exportKind === 'type') return;
        const chain = reachFrom(String(node.source.value), context.filename, new Set());
        if (chain) context.report({ node, message: `A 'use client' module must not re-export server-only code: ${chain.join(' → ')}.` });
      },
      ImportExpression(node) {
        if (!isClient || node.source.type !== 'Literal') return;
        const chain = reachFrom(String(node.source.value), context.filename, new Set());
        if (chain) context.report({ node, message: `A 'use client' module must not load server-only code: ${chain.join(' → ')}.` });
      },
    };
  },
};

export default {
  meta: { name: 'sightline' },
  rules: { layers, 'client-boundary': clientBoundary },
};
