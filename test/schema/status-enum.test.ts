// Job status codes (UPSTREAM.md "Job status codes") and the TrainingJobStatus enum of the schema:
// unknown codes read UNKNOWN (DESIGN.md "The GraphQL contract").
import { describe, expect, it } from 'vitest';
import { isEnumType, type GraphQLEnumType } from 'graphql';
import { schema } from '../../src/schema/index.ts';
import { statusOf } from '../../src/schema/training-job-status.ts';
import { STATUS_NAMES } from '../support/contract.ts';

const CODES = STATUS_NAMES.map((name, code) => [name, code] as const);

function enumType(name: string): GraphQLEnumType {
  const type = schema.getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum of the schema`);
  return type;
}

const TrainingJobStatus = enumType('TrainingJobStatus');

describe('statusOf', () => {
  it.each(CODES)('keeps the known code of %s (%i)', (_name, code) => {
    expect(statusOf(code)).toBe(code);
  });

  it.each([23, 24, 99, 100, 1000, -1, -22, 2147483647, -2147483648, 0.5, 8.5, Number.NaN])(
    'reads the unknown code %d as UNKNOWN (0)',
    (code) => {
      expect(statusOf(code)).toBe(0);
    },
  );
});

describe('the TrainingJobStatus enum', () => {
  it('has a description', () => {
    expect(TrainingJobStatus.description).toBeTruthy();
  });

  it('lists the 23 statuses of UPSTREAM.md, in code order', () => {
    expect(TrainingJobStatus.getValues().map((value) => value.name)).toEqual([...STATUS_NAMES]);
  });

  it.each(CODES)('gives %s the internal value %i', (name, code) => {
    expect(TrainingJobStatus.getValue(name)?.value).toBe(code);
  });

  it.each(CODES)('serializes code %s from %i', (name, code) => {
    expect(TrainingJobStatus.serialize(code)).toBe(name);
    expect(TrainingJobStatus.parseValue(name)).toBe(code);
  });

  it.each([23, 99, -1, 2147483647])('serializes the unknown code %i as UNKNOWN through statusOf', (code) => {
    expect(TrainingJobStatus.serialize(statusOf(code))).toBe('UNKNOWN');
  });

  it.each(STATUS_NAMES)('describes %s', (name) => {
    const description = TrainingJobStatus.getValue(name)?.description;
    expect(typeof description).toBe('string');
    expect(description?.trim().length).toBeGreaterThan(0);
  });

  it('describes each value differently', () => {
    const descriptions = TrainingJobStatus.getValues().map((value) => value.description);
    expect(new Set(descriptions).size).toBe(STATUS_NAMES.length);
  });

  it.each(STATUS_NAMES)('keeps %s un-deprecated', (name) => {
    expect(TrainingJobStatus.getValue(name)?.deprecationReason ?? undefined).toBeUndefined();
  });
});

describe("TrainingJobStatus's description", () => {
  // DESIGN.md "Status on v2": the projection is documented where GraphiQL shows the enum.
  it.each([
    ['Creating', 'INIT'], ['Pending', 'WAITING'], ['Running', 'RUNNING'], ['Terminating', 'KILLING'],
    ['Completed', 'COMPLETED'], ['Failed and Abnormal', 'FAILED'], ['Terminated', 'KILLED'], ['any other phase', 'UNKNOWN'],
  ])('gives v2 phase %s as %s', (phase, status) => {
    expect(TrainingJobStatus.description).toContain(`${phase} ${status}`);
  });
});
