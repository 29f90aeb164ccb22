/**
 * Limits on what one operation may ask for, as graphql-armor validation rules: depth,
 * aliases, directives and cost. Rules rather than armor's plugins, so that yoga and the fast
 * path validate with the very same list. The token and nesting ceilings are parser limits
 * (use-parser-limits.ts).
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface OperationLimits {
  /** Field nesting, default 8 (the deepest query of this schema needs 3); introspection exempt. */
  maxDepth: number;
  /** Aliases per operation, default 15 (a dashboard of a few aliased lists needs under 10); __typename aliases are free. */
  maxAliases: number;
  /** Directives per operation, default 20. */
  maxDirectives: number;
  /** graphql-armor's cost (objects 2, scalars 1, x1.5 per level), default 5000; introspection exempt. */
  maxCost: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = { maxDepth: 8, maxAliases: 15, maxDirectives: 20, maxCost: 5000 };

export function operationLimitRules(limits: OperationLimits = DEFAULT_OPERATION_LIMITS): ValidationRule[] {
  // Reported as ordinary validation errors (GRAPHQL_VALIDATION_FAILED, beside any others)
  // rather than thrown out of validation, which is armor's default.
  const report = { propagateOnRejection: false, onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)] };
  return [
    maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, ...report }),
    maxAliasesRule({ n: limits.maxAliases, ...report }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report }),
    costLimitRule({ maxCost: limits.maxCost, ignoreIntrospection: true, ...report }),
  ] as ValidationRule[];
}

/** Adds the rules to yoga's validation. */
export function useOperationLimits(rules: ValidationRule[]): Plugin {
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
}
