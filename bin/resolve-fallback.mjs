// Module resolution hook for `naftiko-codegen serve`: a generated folder may live anywhere
// (`--out /tmp/x`), where `fastify`, `zod` or the MCP SDK are not installed. Bare imports that
// cannot be resolved from the generated file are resolved from naftiko-codegen's own install.
const fallbackParent = new URL('../package.json', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const bare = !specifier.startsWith('.') && !specifier.startsWith('/') && !/^[a-z]+:/i.test(specifier);
    if (!bare || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return nextResolve(specifier, { ...context, parentURL: fallbackParent });
  }
}
