/**
 * `npm run codegen` writes, from the Pothos schema:
 * - schema/schema.graphql, the SDL frontends build against;
 * - schema/generated/, typed documents for the operations in schema/operations/ (graphql-codegen's
 *   client preset), with persisted-documents.json, the manifest PERSISTED_OPERATIONS reads.
 * The schema module is TypeScript, which codegen cannot load on Node 20 (TOOLCHAIN.md item 5),
 * so it is imported here (under tsx) and handed over as SDL.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { readdirSync, readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.ts';

const config: CodegenConfig = {
  schema: printSchema(schema),
  // Keep the definition order (DESIGN.md's), not codegen's alphabetical one.
  config: { sort: false },
  generates: {
    'schema/schema.graphql': { plugins: ['schema-ast'] },
    'schema/generated/': {
      // One document, files in name order: sort: false (above) also stops codegen sorting
      // documents, and several pointers load in no fixed order, so the output varied by run.
      documents: readdirSync('schema/operations')
        .filter((file) => file.endsWith('.graphql'))
        .sort()
        .map((file) => readFileSync(`schema/operations/${file}`, 'utf8'))
        .join('\n'),
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: { scalars: { DateTime: 'string', Duration: 'string' }, enumsAsTypes: true, useTypeImports: true },
    },
  },
};

export default config;
