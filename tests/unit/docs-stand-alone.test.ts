import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The repository stands alone: someone who clones it has every document the code and the README
 * point at. Rule documents kept outside the repository (in a sibling `shared` folder) once were
 * the reference; docs/rules.md and docs/architecture.md replaced them, and every pointer into a
 * doc must land on a heading that exists.
 */
const root = path.resolve(import.meta.dirname, '../..');
const SELF = path
  .relative(root, import.meta.filename)
  .split(path.sep)
  .join('/');

/** Folders that are generated, installed or local, never part of the project's text. */
const SKIPPED = /^(node_modules|\.next[^/]*|\.git|lib\/db\/generated|data|public\/vendor|test-results|playwright-report|bench\/results)(\/|$)/;

function projectFiles(): string[] {
  try {
    const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return listed.split('\0').filter((f) => f && !SKIPPED.test(f) && existsSync(path.join(root, f)));
  } catch {
    // Not a git checkout (an unpacked archive): every file outside the skipped folders.
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const file = dir ? `${dir}/${entry.name}` : entry.name;
        if (SKIPPED.test(file)) continue;
        if (entry.isDirectory()) walk(file);
        else if (entry.isFile()) found.push(file);
      }
    };
    walk('');
    return found;
  }
}

function textOf(file: string): string | null {
  const bytes = readFileSync(path.join(root, file));
  // Images, models, archives: not text, nothing to point anywhere.
  if (bytes.subarray(0, 8000).includes(0)) return null;
  return bytes.toString('utf8');
}

const texts = new Map(
  projectFiles()
    .flatMap((file) => (file === SELF ? [] : [[file, textOf(file)] as const]))
    .filter((e): e is [string, string] => e[1] !== null),
);

describe('the repository stands alone', () => {
  it('reads the project files', () => {
    expect(texts.has('README.md')).toBe(true);
    expect(texts.has('lib/auth/permissions.ts')).toBe(true);
  });

  it('points at no document outside the repository', () => {
    const outside = [/\.\.\/shared\b/, /\/work\/shared\b/, /\bDOMAIN\.md\b/, /\bSTYLE\.md\b/, /\bENVIRONMENT\.md\b/];
    const found: string[] = [];
    for (const [file, text] of texts) {
      text.split('\n').forEach((line, i) => {
        if (outside.some((pattern) => pattern.test(line))) found.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) anchors.add(slug(heading[1]!));
  }
  return anchors;
}

describe('pointers into the docs', () => {
  it('computes anchors as GitHub does', () => {
    expect(slug('Changes withdraw authorisation')).toBe('changes-withdraw-authorisation');
    expect(slug('Faces, matches and alerts')).toBe('faces-matches-and-alerts');
    expect([...anchorsOf('# A\n```\n# not a heading\n```\n## B: c\n')]).toEqual(['a', 'b-c']);
  });

  it('land on headings that exist', () => {
    const broken: string[] = [];
    const check = (where: string, target: string, anchor: string) => {
      const text = texts.get(target);
      if (text === undefined) broken.push(`${where}: ${target} does not exist`);
      else if (!anchorsOf(text).has(anchor)) broken.push(`${where}: ${target} has no heading #${anchor}`);
    };
    let pointers = 0;
    for (const [file, text] of texts) {
      // "docs/rules.md#retention" anywhere: code comments, the README, tests.
      for (const m of text.matchAll(/\bdocs\/([\w-]+\.md)#([\w-]+)/g)) {
        pointers++;
        check(file, `docs/${m[1]}`, m[2]!);
      }
      // Markdown links between documents: "(rules.md#roles)", "(#two-person-rule)", "(../README.md#architecture)".
      if (file.endsWith('.md')) {
        for (const m of text.matchAll(/\]\(((?:[\w./-]+\.md)?)#([\w-]+)\)/g)) {
          pointers++;
          check(file, m[1] ? path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1])) : file, m[2]!);
        }
      }
    }
    expect(broken).toEqual([]);
    // The code does point into the docs (a pattern that matched nothing would prove nothing).
    expect(pointers).toBeGreaterThan(20);
  });
});
