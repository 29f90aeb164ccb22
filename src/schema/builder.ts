import SchemaBuilder from '@pothos/core';
import type { GatewayContext } from '../context.ts';

/** The Pothos builder; it defines no types itself (one file per domain does). */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    /** Epoch milliseconds inside, RFC 3339 outside. */
    DateTime: { Input: number; Output: number | Date | string };
    /** Milliseconds inside, ISO 8601 outside. */
    Duration: { Input: number; Output: number | string };
  };
}>({
  defaultFieldNullability: false,
});

builder.queryType({
  description: 'The entry points of the training-jobs gateway.',
});
