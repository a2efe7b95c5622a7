/** The runtime every generated capability imports (copied verbatim into `<out>/_runtime/`). */
export * from './auth.js';
export * from './bindings.js';
export * from './descriptor.js';
export * from './errors.js';
export * from './http.js';
export * from './json.js';
export * from './jsonpath.js';
export * from './mcp.js';
export * from './problem.js';
export * from './request.js';
export * from './rest.js';
export * from './retry.js';
export * from './server.js';
export * from './template.js';
export * from './output.js';
export * from './values.js';
export * from './formats.js';
