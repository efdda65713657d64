/**
 * `npm run schema:print [-- <file>]`: writes the subgraph SDL exactly as the running gateway
 * serves it through `_service { sdl }` (default `dist/subgraph.graphql`), ready for a schema
 * registry or `rover supergraph compose`. `--snapshot` instead refreshes the committed snapshot
 * the schema-change guard compares against (test/schema/served-schema.graphql).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { buildSchema, subgraphSdl } from '../src/schema.js';

const args = process.argv.slice(2);
const schema = buildSchema();
if (args.includes('--snapshot')) {
  const file = path.resolve('test/schema/served-schema.graphql');
  writeFileSync(file, printSchema(schema) + '\n');
  process.stdout.write(`wrote ${file}\n`);
} else {
  const file = path.resolve(args[0] ?? 'dist/subgraph.graphql');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, (await subgraphSdl(schema)) + '\n');
  process.stdout.write(`wrote ${file}\n`);
}
