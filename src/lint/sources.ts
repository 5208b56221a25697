/**
 * Which files `haystack lint` reads: the paths given (files are read whatever their name,
 * directories recursively), skipping what .gitignore files exclude. The `ignore` package
 * applies gitignore rules (it is what eslint uses); it works outside a git repository and needs
 * no git binary, where `git ls-files` would do neither. Each directory's .gitignore applies to
 * its subtree, as in git. `.git`, `node_modules` and `.terraform` (what `terraform init`
 * downloads: other people's modules) are never entered.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { type FileKind, fileKindOf } from './lint.js';

export interface SourceFile {
  /** For messages: relative to the working directory, with `/`. */
  readonly file: string;
  readonly path: string;
  readonly kind: FileKind;
  /** Given by name: a file that lint would not pick by itself is still read. */
  readonly explicit: boolean;
}

export class SourceError extends Error {}

const NEVER = new Set(['.git', 'node_modules', '.terraform']);

interface Rules {
  readonly base: string;
  readonly ig: Ignore;
}

/** `--pattern-file` / `--query-file`: each must be a file. */
export async function plainSources(paths: readonly string[], kind: 'pattern' | 'query', cwd = process.cwd()): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const p of paths) {
    const full = resolve(cwd, p); // an absolute path stays itself
    const st = await stat(full).catch(() => null);
    if (st === null) throw new SourceError(`${p}: no such file`);
    if (!st.isFile()) throw new SourceError(`${p}: not a file (--${kind}-file takes a file holding one ${kind})`);
    out.push({ file: display(full, cwd), path: full, kind, explicit: true });
  }
  return out;
}

export async function findSources(paths: readonly string[], cwd = process.cwd()): Promise<SourceFile[]> {
  const out: SourceFile[] = [];
  for (const p of paths) {
    const full = resolve(cwd, p); // an absolute path stays itself
    let st;
    try {
      st = await stat(full);
    } catch {
      throw new SourceError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) await walk(full, cwd, await ancestorsRules(full, cwd), out);
    else out.push({ file: display(full, cwd), path: full, kind: fileKindOf(full) ?? 'cloudformation-yaml', explicit: true });
  }
  const seen = new Set<string>();
  return out.filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)));
}

function display(path: string, cwd: string): string {
  const r = relative(cwd, path);
  return (r === '' ? '.' : r).split(sep).join('/');
}

/** The .gitignore files of the directories between cwd and a directory given (cwd's included). */
async function ancestorsRules(dir: string, cwd: string): Promise<Rules[]> {
  const rel = relative(cwd, dir);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return [];
  const rules: Rules[] = [];
  let base = cwd;
  for (const part of rel.split(sep)) {
    const r = await rulesIn(base);
    if (r) rules.push(r);
    base = join(base, part);
  }
  return rules;
}

async function rulesIn(dir: string): Promise<Rules | null> {
  try {
    return { base: dir, ig: ignore().add(await readFile(join(dir, '.gitignore'), 'utf8')) };
  } catch {
    return null;
  }
}

function ignored(path: string, isDir: boolean, rules: readonly Rules[]): boolean {
  for (const r of rules) {
    const rel = relative(r.base, path).split(sep).join('/');
    if (rel === '' || rel.startsWith('..')) continue;
    if (r.ig.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

async function walk(dir: string, cwd: string, inherited: readonly Rules[], out: SourceFile[]): Promise<void> {
  const own = await rulesIn(dir);
  const rules = own ? [...inherited, own] : inherited;
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (NEVER.has(e.name) || ignored(full, true, rules)) continue;
      await walk(full, cwd, rules, out);
    } else if (e.isFile() || (e.isSymbolicLink() && (await stat(full).catch(() => null))?.isFile() === true)) {
      // A link to a file is read as the file; links to directories are not followed (as git
      // does not), so a link cycle cannot make the walk endless.
      const kind = fileKindOf(e.name);
      if (kind && !ignored(full, false, rules)) out.push({ file: display(full, cwd), path: full, kind, explicit: false });
    }
  }
}
