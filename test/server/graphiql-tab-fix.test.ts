/**
 * The GraphiQL page's tab fix (src/server/graphiql.ts) fits the bundle installed: all four tab
 * actions are patched, and the page served carries the patch. A GraphiQL upgrade that changes
 * the bundle's shape fails here rather than bringing the stale operation name back unnoticed.
 */
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { describe, expect, it } from 'vitest';
import { fixTabSwitch, TAB_SWITCHES } from '../../src/server/graphiql.ts';
import { startStack } from '../support/stack.ts';

describe('the GraphiQL tab fix', () => {
  it('patches every tab action of the installed bundle', () => {
    const { html, patched } = fixTabSwitch(renderGraphiQL({}));
    expect(patched).toBe(TAB_SWITCHES);
    expect(html.match(/operationName:\w\.tabs\[\w\.activeTabIndex\]\?\.operationName\?\?null/g)).toHaveLength(TAB_SWITCHES);
  });

  it('leaves a page of another shape as it is', () => {
    const page = '<script>storeTabs(c),i(c.tabs[c.activeTabIndex]),l?.(c),c})</script>';
    expect(fixTabSwitch(page)).toEqual({ html: page, patched: 1 });
  });

  it('is in the page served at /graphql', async () => {
    const stack = await startStack({});
    try {
      const res = await fetch(`${stack.origin}/graphql`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(200);
      expect((await res.text()).match(/\?\.operationName\?\?null\}\}\)/g)).toHaveLength(TAB_SWITCHES);
    } finally {
      await stack.close();
    }
  });
});
