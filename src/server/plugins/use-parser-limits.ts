/**
 * Limits checked while parsing, so that an absurd document is refused with a syntax error
 * before it costs anything: a ceiling on tokens (graphql-js's own maxTokens), and on nesting,
 * which the token ceiling cannot catch in time because the parser recurses once per level and
 * exhausts the stack around a few thousand levels.
 */
import { GraphQLError, parse, type DocumentNode, type ParseOptions, type Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface ParserLimits {
  /** Default 5000: the README example has about 80 tokens, GraphiQL's introspection query about 300. */
  maxTokens?: number;
  /** Default 64 levels of {, ( and [ together; the deepest sensible query here needs under 10. */
  maxNesting?: number;
}

export function useParserLimits(limits: ParserLimits = {}): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => parseWithLimits(source, limits, options));
    },
  };
}

/** graphql-js's parse with the limits above; throws a GraphQLError syntax error past them. */
export function parseWithLimits(
  source: string | Source,
  { maxTokens = 5000, maxNesting = 64 }: ParserLimits = {},
  options?: ParseOptions,
): DocumentNode {
  const body = typeof source === 'string' ? source : source.body;
  if (nesting(body, maxNesting) > maxNesting) {
    throw new GraphQLError(`Syntax Error: Document nests deeper than ${maxNesting} levels. Parsing aborted.`, {
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
  }
  return parse(source, { ...options, maxTokens });
}

/** The deepest bracket nesting outside strings and comments, stopping early past `limit`. */
function nesting(body: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x7b || c === 0x28 || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (c === 0x7d || c === 0x29 || c === 0x5d) {
      depth--;
    } else if (c === 0x23) {
      while (i < body.length && body.charCodeAt(i) !== 0x0a && body.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22) {
      i = skipString(body, i);
    }
  }
  return deepest;
}

/** The index of the closing quote of the string (or block string) starting at `i`. */
function skipString(body: string, i: number): number {
  if (body.startsWith('"""', i)) {
    const end = body.indexOf('"""', i + 3);
    // Inside a block string only \""" escapes; it never hides a closing """ otherwise.
    let at = end;
    while (at > 0 && body[at - 1] === '\\') at = body.indexOf('"""', at + 3);
    return at < 0 ? body.length : at + 2;
  }
  for (let j = i + 1; j < body.length; j++) {
    const c = body.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22 || c === 0x0a || c === 0x0d) return j;
  }
  return body.length;
}
