import { existsSync, readdirSync } from 'node:fs';
import { Kind, parse, type DefinitionNode, type OperationDefinitionNode } from 'graphql';

/**
 * GraphQL examples in Markdown: every ```graphql fenced block, with the ```json block that follows
 * it (nothing but blank lines between) as the variables of its operations.
 */
export interface GraphQLExample {
  /** Where the block starts, as `file:line`, and the heading it sits under. */
  where: string;
  heading: string;
  /** The block's text, and each of its operations on its own (with the block's fragments). */
  source: string;
  operations: { name: string; document: string }[];
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

function fences(text: string): { blocks: Fence[]; lines: string[] } {
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

/** Every fenced code block of a Markdown text, with its language and the heading it sits under. */
export const fencedBlocks = (text: string): Fence[] => fences(text).blocks;

const nameOf = (op: OperationDefinitionNode, index: number): string => op.name?.value ?? `${op.operation} #${index + 1}`;

/** Splits a block into runnable documents: one per operation, each with every fragment of the block. */
function operationsOf(source: string): GraphQLExample['operations'] {
  const definitions: readonly DefinitionNode[] = parse(source).definitions;
  const text = (d: DefinitionNode): string => source.slice(d.loc!.start, d.loc!.end);
  const fragments = definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map(text);
  const operations = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operations.map((op, i) => ({ name: nameOf(op, i), document: [text(op), ...fragments].join('\n\n') }));
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
    return [{ where: `${file}:${block.start}`, heading: block.heading, source: block.body, operations: operationsOf(block.body), variables }];
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
