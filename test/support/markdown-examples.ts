import { existsSync, readdirSync } from 'node:fs';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';

/**
 * GraphQL examples in Markdown: every ```graphql fenced block, with the ```json block that follows
 * it (nothing but blank lines between) as the variables of its operations.
 */
export interface GraphQLExample {
  /** Where the block starts, as `file:line`, and the heading it sits under. */
  where: string;
  heading: string;
  /**
   * The block's text, sent whole as a user pastes it, and the operations to run from it: one
   * unnamed, or each of several by its `operationName` (an anonymous one among several cannot run).
   */
  source: string;
  operations: { operationName: string | undefined }[];
  variables: Record<string, unknown>;
}

export interface Fence {
  lang: string;
  body: string;
  /** 1-based line of the opening fence, and of the closing one. */
  start: number;
  end: number;
  /** The last Markdown heading before the block. */
  heading: string;
}

const OPENING = /^ {0,3}(`{3,})\s*([\w-]*)/;

/** Every fenced block of a Markdown text, with its language and the heading it sits under. */
export function fences(text: string): { blocks: Fence[]; lines: string[] } {
  const lines = text.split('\n');
  const blocks: Fence[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i]);
    if (!open) {
      if (/^#{1,6} /.test(lines[i])) heading = lines[i].replace(/^#+ /, '').trim();
      continue;
    }
    const closing = new RegExp(`^ {0,3}${open[1]}\`*\\s*$`);
    let j = i + 1;
    while (j < lines.length && !closing.test(lines[j])) j++;
    blocks.push({ lang: open[2].toLowerCase(), body: lines.slice(i + 1, j).join('\n'), start: i + 1, end: j + 1, heading });
    i = j;
  }
  return { blocks, lines };
}

/** The operations a pasted block can run: its only one, or each of several, which must then be named. */
function operationsOf(source: string, where: string): GraphQLExample['operations'] {
  const operations = parse(source).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length === 1) return [{ operationName: operations[0].name?.value }];
  if (operations.some((op) => !op.name)) {
    throw new Error(`${where}: a block with several operations must name each one (pasted whole, an anonymous one cannot be run)`);
  }
  return operations.map((op) => ({ operationName: op.name!.value }));
}

export function graphqlExamples(file: string, text: string): GraphQLExample[] {
  const { blocks, lines } = fences(text);
  return blocks.flatMap((block, i) => {
    if (block.lang !== 'graphql') return [];
    const next = blocks[i + 1];
    const adjacent = next?.lang === 'json' && lines.slice(block.end, next.start - 1).every((l) => l.trim() === '');
    let variables: Record<string, unknown> = {};
    if (adjacent) {
      try {
        variables = JSON.parse(next.body) as Record<string, unknown>;
      } catch (error) {
        throw new Error(`${file}:${next.start}: the variables block is not JSON (${(error as Error).message})`);
      }
    }
    const where = `${file}:${block.start}`;
    return [{ where, heading: block.heading, source: block.body, operations: operationsOf(block.body, where), variables }];
  });
}

/** The documentation under `root` whose examples must run: README.md and every docs/*.md there is. */
export function documentationFiles(root: URL): string[] {
  const docs = new URL('docs/', root);
  const pages = existsSync(docs)
    ? readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...pages];
}
