import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorOf, headings } from '../support/markdown.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The Markdown a reader navigates: the README, the threat model and everything under docs/. */
function documents(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join('docs', name));
  return ['README.md', 'SECURITY.md', ...docs];
}

/** Each relative link's target, outside code blocks: `file`, `file#anchor` or `#anchor`. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z]+:/.test(target));
}

describe('links between the README, SECURITY.md and docs/', () => {
  it('every relative link names a file that exists, and a heading in it when it names an anchor', () => {
    const broken: string[] = [];
    for (const document of documents()) {
      const text = fs.readFileSync(path.join(ROOT, document), 'utf8');
      for (const link of relativeLinks(text)) {
        const [file = '', anchor] = link.split('#');
        const target =
          file === '' ? path.join(ROOT, document) : path.resolve(path.dirname(path.join(ROOT, document)), file);
        if (!fs.existsSync(target)) {
          broken.push(`${document}: ${link} (no such file)`);
          continue;
        }
        if (anchor === undefined || !target.endsWith('.md')) continue;
        const anchors = headings(fs.readFileSync(target, 'utf8')).map((heading) => anchorOf(heading.text));
        if (!anchors.includes(anchor)) broken.push(`${document}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
