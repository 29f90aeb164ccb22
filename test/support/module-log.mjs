// Preloaded with `node --import`: appends the URL of every module the process resolves to the
// file named by MODULE_LOG, so that a test can tell what a process loaded (the resolve hook runs
// on Node's loader thread, which sees the same environment).
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.MODULE_LOG) appendFileSync(process.env.MODULE_LOG, result.url + '\\n');
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
