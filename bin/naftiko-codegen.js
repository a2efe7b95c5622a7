#!/usr/bin/env node
// Entry point of the naftiko-codegen CLI. The generator is written in TypeScript and runs
// through tsx's loader, so there is no build step between a checkout and a working CLI.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

// Registered first so that it runs after tsx: only bare imports tsx could not resolve reach it.
registerHooks('./resolve-fallback.mjs', import.meta.url);
register();
const { main } = await import('../generator/cli/main.ts');
process.exitCode = await main(process.argv);
