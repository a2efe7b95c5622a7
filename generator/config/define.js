// The public entry of the naftiko-codegen package (`import { defineConfig } from 'naftiko-codegen'`).
// Plain JavaScript with a sibling .d.ts so it loads under plain Node as well as under tsx.

/**
 * Types a `naftiko-codegen.config.ts` / `.js` / `.mjs`: returns its argument unchanged.
 * @param {import('./define.js').NaftikoConfig} config
 */
export function defineConfig(config) {
  return config;
}
