/**
 * `npm run codegen` writes schema/schema.graphql from the Pothos schema. The schema module is
 * TypeScript, which codegen cannot load on Node 20 (TOOLCHAIN.md item 5), so it is imported
 * here (under tsx) and handed over as SDL.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/schema/index.ts';

const config: CodegenConfig = {
  schema: printSchema(schema),
  // Keep the definition order (DESIGN.md's), not codegen's alphabetical one.
  config: { sort: false },
  generates: {
    'schema/schema.graphql': { plugins: ['schema-ast'] },
  },
};

export default config;
