/** A Markdown document read as the README's readers and tests read it: headings, sections, fenced blocks. */

export interface Heading {
  level: number;
  text: string;
  /** Index of the heading's line. */
  line: number;
}

export interface FencedBlock {
  language: string;
  body: string;
}

/** The headings outside fenced code blocks (a `# comment` inside a ```sh block is not one). */
export function headings(markdown: string): Heading[] {
  const found: Heading[] = [];
  let fenced = false;
  markdown.split('\n').forEach((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6}) (.+)$/.exec(line);
    if (match !== null) found.push({ level: match[1]?.length ?? 1, text: match[2] ?? '', line: index });
  });
  return found;
}

/** One section: from its heading (any level) to the next heading of its level or above. */
export function section(markdown: string, heading: string): string {
  const all = headings(markdown);
  const at = all.findIndex((candidate) => candidate.text === heading);
  const start = all[at];
  if (start === undefined) throw new Error(`no section "${heading}"`);
  const end = all.slice(at + 1).find((candidate) => candidate.level <= start.level);
  return markdown.split('\n').slice(start.line, end?.line).join('\n');
}

export function fencedBlocks(markdown: string): FencedBlock[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((match) => ({
    language: match[1] ?? '',
    body: match[2] ?? '',
  }));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
