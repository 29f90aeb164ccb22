/**
 * The GraphQL families: valid queries, the same mutated character by character into near-misses,
 * and absurd documents (deep, wide, huge, cyclic) that the gateway's limits must refuse cheaply.
 */
import { getIntrospectionQuery } from 'graphql';
import { commonHeaders } from './headers.ts';
import { alias, gqlString, JOB_FIELDS, validOperation, type Operation } from './operations.ts';
import { getWithParams, post, type FuzzRequest } from './requests.ts';
import { ODD_ASCII, UNICODE_SAMPLES, type Rng } from './rng.ts';

export function validRequest(r: Rng): FuzzRequest {
  const op = validOperation(r);
  if (r.bool(0.15)) {
    const params: Record<string, string> = { query: op.query };
    if (op.variables) params['variables'] = JSON.stringify(op.variables);
    if (op.operationName) params['operationName'] = op.operationName;
    return getWithParams('valid', 'GET query', params, commonHeaders(r));
  }
  return post('valid', 'POST query', op, commonHeaders(r));
}

const MUTATION_TOKENS = ['{', '}', '(', ')', '"', '"""', '$', '@', '...', '#', ':', '!', '[', ']', '=', '|', '&', '\\', '\n', '\u0000', '\ud800', '😀', ' on ', 'fragment ', 'query ', '\\u', '\r'];

function mutate(r: Rng, doc: string): string {
  let out = doc;
  const ops = r.int(1, 8);
  for (let i = 0; i < ops; i++) {
    const pos = r.int(0, out.length);
    switch (r.int(0, 8)) {
      case 0: // delete a range
        out = out.slice(0, pos) + out.slice(Math.min(out.length, pos + r.int(1, 12)));
        break;
      case 1: // insert a token
        out = out.slice(0, pos) + r.pick(MUTATION_TOKENS) + out.slice(pos);
        break;
      case 2: {
        // swap two characters
        const [i1, i2] = [pos, r.int(0, out.length)].sort((x, y) => x - y) as [number, number];
        if (i2 >= out.length || i1 === i2) break;
        out = out.slice(0, i1) + out[i2] + out.slice(i1 + 1, i2) + out[i1] + out.slice(i2 + 1);
        break;
      }
      case 3: {
        // swap two tokens
        const tokens = out.split(/(\s+)/);
        const i1 = r.int(0, tokens.length - 1);
        const i2 = r.int(0, tokens.length - 1);
        [tokens[i1], tokens[i2]] = [tokens[i2] ?? '', tokens[i1] ?? ''];
        out = tokens.join('');
        break;
      }
      case 4: // truncate
        out = out.slice(0, pos);
        break;
      case 5: // repeat the whole document
        if (out.length < 20_000) out = out.repeat(r.int(2, 30));
        break;
      case 6: {
        // duplicate a span
        const end = Math.min(out.length, pos + r.int(1, 40));
        out = out.slice(0, end) + out.slice(pos, end) + out.slice(end);
        break;
      }
      case 7: // replace a character with an odd one
        out = out.slice(0, pos) + r.pick([...ODD_ASCII, '\u00e9', '\u3042', '\u0007', '\u007f']) + out.slice(pos + 1);
        break;
      default: // delete every occurrence of one punctuator
        out = out.split(r.pick(['{', '}', '(', ')', ':', '$', '"'])).join('');
    }
  }
  return out;
}

export function mutatedRequest(r: Rng, seeds: readonly Operation[]): FuzzRequest {
  const base = r.pick(seeds);
  const op: Operation = { ...base, query: mutate(r, base.query) };
  if (r.bool(0.15)) return getWithParams('mutated', 'GET mutated', { query: op.query }, commonHeaders(r));
  return post('mutated', 'POST mutated', op, commonHeaders(r));
}

function nested(depth: number, field: string, close: boolean): string {
  return `${`{ ${field} `.repeat(depth)}${close ? '}'.repeat(depth) : ''}`;
}

function absurdDocument(r: Rng): { kind: string; query: string; operationName?: string; rawVariables?: string } {
  const c = r.int(0, 19);
  switch (c) {
    case 0: {
      const depth = r.pick([1000, 10_000, r.int(65, 3000)]);
      return { kind: `nesting ${depth >= 10_000 ? '10k' : '≤3k'} levels`, query: nested(depth, r.pick(['a', 'trainingJobs', 'jobs', '__typename']), r.bool(0.7)) };
    }
    case 1: {
      const depth = r.pick([100, 500, 2000]);
      const inner = `${'ofType { '.repeat(depth)}name${' }'.repeat(depth)}`;
      return { kind: 'deep introspection', query: `{ __schema { types { fields { type { ${inner} } } } } }` };
    }
    case 2: {
      const n = r.pick([1000, 5000]);
      return { kind: 'thousands of __typename aliases', query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }` };
    }
    case 3: {
      const n = r.pick([500, 2000]);
      return { kind: 'thousands of trainingJobs aliases (same args)', query: `{ ${Array.from({ length: n }, (_, i) => `t${i}: trainingJobs(perPage: 1) { totalCount }`).join(' ')} }` };
    }
    case 4: {
      const n = r.pick([50, 200]);
      return { kind: 'hundreds of trainingJobs aliases (distinct args)', query: `{ ${Array.from({ length: n }, (_, i) => `t${i}: trainingJobs(page: ${i + 1}, perPage: 1) { totalCount jobs { id } }`).join(' ')} }` };
    }
    case 5: {
      const n = r.pick([1000, 5000]);
      return { kind: 'thousands of repeated fields', query: `{ trainingJobs(perPage: 2) { jobs { ${'id name '.repeat(n)} } } }` };
    }
    case 6: {
      const n = r.pick([1000, 3000]);
      return { kind: 'thousands of distinct unknown fields', query: `{ ${Array.from({ length: n }, (_, i) => `f${i}`).join(' ')} }` };
    }
    case 7: {
      const n = r.pick([100_000, 1_000_000]);
      return { kind: 'huge string literal', query: `{ trainingJobs(search: ${gqlString('x'.repeat(n))}) { totalCount } }` };
    }
    case 8: {
      const n = r.pick([500, 3000]);
      const defs = Array.from({ length: n }, (_, i) => `fragment F${i} on TrainingJob { ${r.pick(JOB_FIELDS)} }`).join('\n');
      const spreads = Array.from({ length: n }, (_, i) => `...F${i}`).join(' ');
      return { kind: 'many fragments', query: `{ trainingJobs(perPage: 3) { jobs { ${spreads} } } }\n${defs}` };
    }
    case 9: {
      const n = r.pick([100, 1000, 5000]);
      const defs = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { __typename ${i + 1 < n ? `...F${i + 1}` : ''} }`).join('\n');
      return { kind: 'fragment chain', query: `{ ...F0 }\n${defs}` };
    }
    case 10: {
      const n = r.pick([1, 2, 500]);
      const defs = Array.from({ length: n }, (_, i) => `fragment C${i} on Query { __typename ...C${(i + 1) % n} }`).join('\n');
      return { kind: 'fragment cycle', query: `{ ...C0 }\n${defs}` };
    }
    case 11: {
      const n = r.pick([1, 50, 2000]);
      const dirs = () => Array.from({ length: r.int(1, n) }, () => r.pick(['@include(if: true)', '@skip(if: false)', '@deprecated', '@specifiedBy(url: "x")', `@${alias(r)}`, `@${alias(r)}(a: 1, b: "x", c: [1], d: {e: null})`, '@include', '@skip(if: 1)'])).join(' ');
      return {
        kind: 'directives on everything',
        query: `query Q($p: Int! = 1 ${dirs()}) ${dirs()} { trainingJobs(page: $p) ${dirs()} { ... on TrainingJobPage ${dirs()} { totalCount ${dirs()} } ...P ${dirs()} } }\nfragment P on TrainingJobPage ${dirs()} { jobs ${dirs()} { id ${dirs()} } }`,
      };
    }
    case 12:
      return { kind: 'unknown directive', query: `{ __typename @${alias(r)}(${alias(r)}: ${gqlString(r.pick(UNICODE_SAMPLES))}) }` };
    case 13:
      return { kind: 'introspection', query: getIntrospectionQuery({ descriptions: r.bool(), specifiedByUrl: r.bool(), directiveIsRepeatable: r.bool(), schemaDescription: r.bool(), inputValueDeprecation: r.bool() }) };
    case 14: {
      const n = r.pick([100, 2000]);
      const ops = Array.from({ length: n }, (_, i) => `query O${i} { __typename }`).join('\n');
      return { kind: 'many operations', query: ops, operationName: r.pick(['O0', `O${n - 1}`, 'Nowhere', '', `O${n}`]) };
    }
    case 15: {
      const n = r.pick([100, 5000]);
      return { kind: 'thousands of duplicate arguments', query: `{ trainingJobs(${Array.from({ length: n }, (_, i) => `page: ${i}`).join(', ')}) { totalCount } }` };
    }
    case 16: {
      const n = r.pick([10_000, 100_000]);
      return { kind: 'huge list literal', query: `{ trainingJobs(search: [${Array.from({ length: n }, (_, i) => i).join(',')}]) { totalCount } }` };
    }
    case 17: {
      const depth = r.pick([1000, 10_000]);
      const [open, close] = r.bool() ? ['[', ']'] : ['{a: ', '}'];
      return { kind: `deep ${open === '[' ? 'list' : 'object'} literal`, query: `{ trainingJobs(search: ${open.repeat(depth)}1${close.repeat(depth)}) { totalCount } }` };
    }
    case 18: {
      // Built as text: JSON.stringify itself would overflow the stack at this depth.
      const depth = r.pick([1000, 10_000]);
      let value = '"x"';
      for (let i = 0; i < depth; i++) value = r.bool() ? `[${value}]` : `{"v":${value}}`;
      const n = r.pick([10, 20_000]);
      const wide = Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',');
      return { kind: 'deep and wide variables', query: 'query ($s: String) { trainingJobs(search: $s) { totalCount } }', rawVariables: `{"s":${value},${wide}}` };
    }
    default:
      return {
        kind: 'other operation types',
        query: r.pick(['mutation { x }', 'subscription { trainingJobs { totalCount } }', 'mutation M { trainingJobs { totalCount } }', 'schema { query: Query }', 'type T { a: Int }', 'extend type Query { x: Int }', 'scalar X']),
      };
  }
}

export function absurdRequest(r: Rng): FuzzRequest {
  const { kind, rawVariables, ...op } = absurdDocument(r);
  const payload = rawVariables === undefined ? op : `{"query":${JSON.stringify(op.query)},"variables":${rawVariables}}`;
  return post('absurd', kind, payload, commonHeaders(r));
}
