/**
 * What an operation will ask of the upstream, read from its document and variables before any
 * call (DESIGN.md "Cost"): every trainingJobs and trainingJobCounts field at its root, through
 * fragments, with @skip and @include applied. A field whose arguments are refused makes no call,
 * so it counts for none: it fails with its own error.
 */
import {
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import type { SortField } from '../domain.ts';
import type { PlannedField } from '../upstream/client.ts';
import { toTrainingJobsQuery, type TrainingJobsArgs } from './arguments.ts';

/** `own`: the field being resolved, whose arguments its resolver has already read (graphql-js coerces them for 2 µs). */
export function plannedFieldsOf(info: GraphQLResolveInfo, own: PlannedField, sortFields: ReadonlySet<SortField>): PlannedField[] {
  const { fragments, variableValues, parentType } = info;
  const fields = parentType.getFields();
  const planned: PlannedField[] = [];
  const included = (node: { directives?: FieldNode['directives'] }) =>
    // Most selections carry no directive: no need to look for @skip and @include.
    node.directives === undefined ||
    node.directives.length === 0 ||
    (getDirectiveValues(GraphQLSkipDirective, node, variableValues)?.['if'] !== true &&
      getDirectiveValues(GraphQLIncludeDirective, node, variableValues)?.['if'] !== false);
  const seenFragments = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        if (fragment !== undefined && !seenFragments.has(fragment.name.value)) {
          seenFragments.add(fragment.name.value);
          walk(fragment.selectionSet);
        }
      } else {
        const name = selection.name.value;
        const definition = fields[name];
        if (definition === undefined || (name !== 'trainingJobs' && name !== 'trainingJobCounts')) continue;
        if (selection === info.fieldNodes[0]) {
          planned.push(own);
          continue;
        }
        if (name === 'trainingJobCounts') {
          planned.push({ kind: 'counts' });
          continue;
        }
        try {
          const args = getArgumentValues(definition, selection, variableValues) as unknown as TrainingJobsArgs;
          planned.push({ kind: 'page', query: toTrainingJobsQuery({ ...args, workspaceId: String(args.workspaceId) }, sortFields) });
        } catch {
          // Refused arguments: the field fails before any call.
        }
      }
    }
  };
  walk(info.operation.selectionSet);
  return planned;
}
