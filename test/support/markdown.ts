/**
 * Just enough Markdown for the link check (test/docs/links.test.ts): the anchors a file's headings
 * get on GitHub, and the relative links it holds. Pure functions over a file's text; no I/O.
 */

/** A link as written: its target, and the 1-based line it starts on. */
export interface Link {
  target: string;
  line: number;
}

/**
 * The text with fenced code blocks and inline code spans blanked out (spaces, newlines kept), so
 * that nothing inside them reads as a heading or a link and offsets still give line numbers.
 */
export function withoutCode(text: string): string {
  const lines = text.split('\n');
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker === undefined) continue;
    if (fence === undefined) fence = marker;
    else if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && /^\s*[`~]+\s*$/.test(line)) fence = undefined;
    lines[i] = '';
  }
  // A code span: a run of backticks, then anything up to the same run, within one paragraph.
  return lines.join('\n').replace(/(`+)(?!`)((?:(?!\n[ \t]*\n)[\s\S])*?[^`])\1(?!`)/g, (span) => span.replace(/[^\n]/g, ' '));
}

/** GitHub's anchor for a heading: lowercase, punctuation but `-` and `_` dropped, spaces to `-`. */
export function githubSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image keeps its text
    .replace(/<[^>]+>/g, '') // HTML tags go
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a file offers: its ATX headings' slugs (repeats get -1, -2, ...) and `<a id|name>`. */
export function anchors(text: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  const raw = text.split('\n');
  const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
  withoutCode(text).split('\n').forEach((line, i) => {
    // Found on the text without code (no fenced "# comment"), read from the line as written.
    const title = heading.test(line) ? heading.exec(raw[i] ?? '')?.[1] : undefined;
    if (title !== undefined) {
      const slug = githubSlug(title);
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      found.add(n === 0 ? slug : `${slug}-${n}`);
    }
    for (const m of line.matchAll(/<a\s[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) found.add(m[1] ?? '');
  });
  return found;
}

/** The relative links in a file: inline links and images, and reference definitions; not in code. */
export function relativeLinks(text: string): Link[] {
  const plain = withoutCode(text);
  const lineAt = (offset: number): number => plain.slice(0, offset).split('\n').length;
  const links: Link[] = [];
  // [text](target) or [text](<target> "title"); the text may hold one level of brackets and span lines.
  const inline = /\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
  for (const m of plain.matchAll(inline)) links.push({ target: (m[1] ?? '').replace(/^<|>$/g, ''), line: lineAt(m.index) });
  for (const m of plain.matchAll(/^ {0,3}\[[^\]]+\]:[ \t]*(<[^>\n]*>|\S+)/gm)) {
    links.push({ target: (m[1] ?? '').replace(/^<|>$/g, ''), line: lineAt(m.index) });
  }
  return links.filter((l) => l.target !== '' && !/^([a-z][a-z0-9+.-]*:|\/\/)/i.test(l.target));
}

/** What the check needs to know of the repository: a path's kind, and a Markdown file's text. */
export interface Files {
  kind(path: string): 'file' | 'directory' | undefined;
  read(path: string): string;
}

/**
 * Each relative link of `file` (a repository path such as `docs/a.md`) that leads nowhere, as
 * `file:line: target (why)`: a path that does not exist, or an anchor no heading of its target has.
 */
export function brokenLinks(file: string, text: string, files: Files): string[] {
  const decode = (part: string): string => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part; // a stray % is looked up as written
    }
  };
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  const why = (path: string | undefined, anchor: string): string | undefined => {
    if (path === undefined) return 'outside the repository';
    const kind = files.kind(path);
    if (kind === undefined) return `no such file: ${path}`;
    if (anchor === '') return undefined;
    if (!/\.(md|markdown)$/i.test(path)) {
      // GitHub's line anchors (#L12, #L12-L20) are the only ones a source file has.
      return kind === 'file' && /^L\d+(-L\d+)?$/.test(anchor) ? undefined : `no anchor #${anchor} in ${path}`;
    }
    return anchors(path === file ? text : files.read(path)).has(anchor) ? undefined : `no heading #${anchor} in ${path}`;
  };
  return relativeLinks(text).flatMap(({ target, line }) => {
    const [pathPart = '', ...rest] = target.split('#');
    const relative = decode(pathPart.split('?')[0] ?? '');
    const path = pathPart === '' ? file : resolvePath(pathPart.startsWith('/') ? '' : dir, relative);
    const problem = why(path, decode(rest.join('#')));
    return problem === undefined ? [] : [`${file}:${line}: ${target} (${problem})`];
  });
}

/** `relative` joined to the folder `from`, `.` and `..` resolved; undefined when it climbs out. */
export function resolvePath(from: string, relative: string): string | undefined {
  const parts = from === '' ? [] : from.split('/');
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return undefined;
  }
  return parts.join('/');
}
