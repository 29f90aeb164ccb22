// Every relative link in README.md, docs/*.md and bench's READMEs leads somewhere: the file or folder exists, and
// an #anchor names a heading of the Markdown file it points into (GitHub's slugs). No network.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anchors, brokenLinks, githubSlug, relativeLinks, withoutCode, type Files } from '../support/markdown.ts';

const ROOT = new URL('../../', import.meta.url);

const repo: Files = {
  kind(path) {
    const url = new URL(path, ROOT);
    if (!existsSync(url)) return undefined;
    return statSync(url).isDirectory() ? 'directory' : 'file';
  },
  read: (path) => readFileSync(new URL(path, ROOT), 'utf8'),
};

const markdownIn = (folder: string) =>
  readdirSync(new URL(`${folder}/`, ROOT))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `${folder}/${f}`);
// The manual, and the README of each benchmark.
const benchmarks = readdirSync(new URL('bench/', ROOT), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(new URL(`bench/${d.name}/README.md`, ROOT)))
  .map((d) => `bench/${d.name}/README.md`)
  .sort();
const pages = ['README.md', ...markdownIn('docs'), 'bench/README.md', ...benchmarks];

describe('the manual', () => {
  it.each(pages)('%s has no broken relative link', (page) => {
    expect(brokenLinks(page, repo.read(page), repo)).toEqual([]);
  });
});

describe('githubSlug', () => {
  it.each([
    ['Live updates', 'live-updates'],
    ["Where a small request's time goes (a profile)", 'where-a-small-requests-time-goes-a-profile'],
    ['Scale-out (npm run bench:fleet)', 'scale-out-npm-run-benchfleet'],
    ['`MAX_TOKENS` and `LIVE_POLL_MS`', 'max_tokens-and-live_poll_ms'],
    ['Errors: codes & HTTP statuses', 'errors-codes--http-statuses'],
    ['[The image](../Dockerfile) ', 'the-image'],
    ['Größe über 1.000', 'größe-über-1000'],
  ])('turns %j into %j', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });
});

describe('anchors', () => {
  it('numbers repeated headings, ignores fenced ones and reads explicit anchors', () => {
    const text = '# Top\n## Notes\n```sh\n# not a heading\n```\n## Notes\n### Notes ##\n<a id="kept"></a>\n<a name="old-name">';
    expect([...anchors(text)]).toEqual(['top', 'notes', 'notes-1', 'notes-2', 'kept', 'old-name']);
  });
});

describe('relativeLinks', () => {
  it('finds inline, image, multi-line and reference links, and skips URLs and code', () => {
    const text = [
      'See [a](a.md), ![b](img/b.svg "B") and [`c`](c.md#x) or [the',
      'next line](#here).',
      '`[not](code.md)` and <https://example.com> and [web](https://example.com) [m](mailto:x@y.z)',
      '```md',
      '[fenced](fenced.md)',
      '```',
      '[ref]: ../ref.md#part',
    ].join('\n');
    expect(relativeLinks(text)).toEqual([
      { target: 'a.md', line: 1 },
      { target: 'img/b.svg', line: 1 },
      { target: 'c.md#x', line: 1 },
      { target: '#here', line: 1 },
      { target: '../ref.md#part', line: 7 },
    ]);
  });

  it('keeps line numbers when code is blanked out', () => {
    expect(withoutCode('a\n```\nb\n```\n`c`').split('\n')).toEqual(['a', '', '', '', '   ']);
  });
});

describe('brokenLinks', () => {
  const files: Files = {
    kind: (path) => (['README.md', 'docs/a.md', 'src/x.ts'].includes(path) ? 'file' : ['docs', 'src'].includes(path) ? 'directory' : undefined),
    read: (path) => (path === 'README.md' ? '# Gateway\n## Two commands\n' : ''),
  };

  it.each([
    ['nothing for a good file, folder, line and anchors', '## Setting up\n[r](../README.md#two-commands) [s](../src/) [x](../src/x.ts#L3) [h](#setting-up)', []],
    ['a missing file', 'text\n[b](b.md)', ['docs/a.md:2: b.md (no such file: docs/b.md)']],
    ['a missing anchor in another file', '[r](../README.md#two-command)', ['docs/a.md:1: ../README.md#two-command (no heading #two-command in README.md)']],
    ['a missing anchor in the same file', '## Setting up\n\n[h](#set-up)', ['docs/a.md:3: #set-up (no heading #set-up in docs/a.md)']],
    ['a path written from the root instead of from docs/', '[x](src/x.ts)', ['docs/a.md:1: src/x.ts (no such file: docs/src/x.ts)']],
    ['a path out of the repository', '[x](../../x.md)', ['docs/a.md:1: ../../x.md (outside the repository)']],
    ['an anchor into a non-Markdown file', '[x](../src/x.ts#main)', ['docs/a.md:1: ../src/x.ts#main (no anchor #main in src/x.ts)']],
  ])('reports %s', (_what, text, expected) => {
    expect(brokenLinks('docs/a.md', text, files)).toEqual(expected);
  });
});
