import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from '../context.ts';

/** The builder's type parameters (for helpers such as shared argument lists). */
export type BuilderTypes = PothosSchemaTypes.ExtendDefaultTypes<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    /** Epoch milliseconds inside, RFC 3339 outside. */
    DateTime: { Input: number; Output: number | Date | string };
    /** Milliseconds inside, ISO 8601 outside. */
    Duration: { Input: number; Output: number | string };
  };
}>;

/** The Pothos builder; it defines no types itself (one file per domain does). */
export const builder = new SchemaBuilder<BuilderTypes>({
  defaultFieldNullability: false,
});

builder.queryType({
  description: 'The entry points of the training-jobs gateway.',
});

builder.subscriptionType({
  description: 'Live views: each sends its first result at once, then again whenever it changes.',
});
