/**
 * OpenAPI 2/3 → a Naftiko capability in the official alpha2 shape: one `consumes` namespace
 * holding every operation, a REST adapter exposing each at its OpenAPI path, and an MCP adapter
 * with one tool per operation (hints from the method). Three things go beyond the alpha2
 * schema, because alpha2 cannot say them and the generator reads them (docs/semantics.md):
 * `required: true` on REST inputs, `in: formData` consumed parameters for form bodies, and
 * `type: array` on consumed array parameters (so they are sent comma-separated).
 */
import { readFileSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { Document, parse, Scalar } from 'yaml';
import type { HttpMethod } from '../runtime/descriptor.js';
import { ImportError, readOpenApi, type ImportedApi, type ImportedOperation, type ImportedSecurity } from './import-read.js';
import { kebabCase, screamingSnake, UniqueNames } from './import-names.js';

export { ImportError } from './import-read.js';

export interface ImportOptions {
  /** The file it came from, as shown in the header comment. */
  readonly source: string;
  /** Only operations with this tag. */
  readonly tag?: string;
  /** Replaces the document's server URL. */
  readonly baseUri?: string;
}

export interface ImportResult {
  readonly text: string;
  readonly operations: number;
  readonly warnings: readonly string[];
  /** Environment variables the capability reads its upstream credential from. */
  readonly environment: readonly string[];
}

type Obj = Record<string, unknown>;

const HINTS: Record<string, Obj> = {
  GET: { readOnly: true, destructive: false, idempotent: true },
  POST: { readOnly: false, destructive: false, idempotent: false },
  PUT: { readOnly: false, destructive: true, idempotent: true },
  PATCH: { readOnly: false, destructive: false, idempotent: false },
  DELETE: { readOnly: false, destructive: true, idempotent: true },
};

export const REST_PORT = 8080;
export const MCP_PORT = 9090;

/** Reads an OpenAPI file (YAML or JSON) and imports it. */
export function importOpenApiFile(file: string, options: Omit<ImportOptions, 'source'> = {}): ImportResult {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'), { uniqueKeys: false, maxAliasCount: 1000 });
  } catch (error) {
    throw new ImportError(`cannot read it as YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return importOpenApi(doc, { ...options, source: shownPath(file) });
}

export function importOpenApi(doc: unknown, options: ImportOptions): ImportResult {
  const api = readOpenApi(doc);
  const warnings = [...api.warnings];
  let operations = api.operations;
  if (options.tag !== undefined) {
    operations = operations.filter((op) => op.tags.includes(options.tag!));
    if (operations.length === 0) {
      const tags = [...new Set(api.operations.flatMap((op) => op.tags))].sort();
      throw new ImportError(`no operation has the tag "${options.tag}"${tags.length ? `; its tags: ${tags.join(', ')}` : '; it declares no tags'}`);
    }
  }
  if (operations.length === 0) throw new ImportError('the document has no operations to import');

  const ns = kebabCase(api.title, 'api', 40);
  const restNs = `${ns}-rest`;
  const mcpNs = `${ns}-mcp`;
  const env = credential(api.security, ns);
  const opNames = new UniqueNames();
  const resourceNames = new UniqueNames();
  const routes = new Set<string>();
  const consumedResources = new Map<string, Obj & { operations: Obj[] }>();
  const restResources = new Map<string, Obj & { operations: Obj[] }>();
  const tools: Obj[] = [];

  for (const op of operations) {
    // `/a/{x}` and `/a/{y}` are one route: the second would be refused as a duplicate.
    const route = `${op.method} ${op.path.replace(/\{[^}]*\}/g, '{}')}`;
    if (routes.has(route)) {
      warnings.push(`${op.method} ${op.path} is skipped: it is the same route as an operation imported before it`);
      continue;
    }
    routes.add(route);
    const name = opNames.take(kebabCase(op.operationId ?? `${op.method} ${op.path}`, op.method.toLowerCase()));
    const built = buildOperation(op, name, api.security, warnings);
    const resourceName = (path: string) => resourceNames.take(kebabCase(path, 'root'));
    const consumed = consumedResources.get(op.path) ?? { name: resourceName(op.path), path: consumedPath(op.path), operations: [] };
    consumedResources.set(op.path, consumed);
    consumed.operations.push(built.consumed);
    const rest = restResources.get(op.path) ?? { name: consumed.name, path: op.path, operations: [] };
    restResources.set(op.path, rest);
    const call = `${ns}.${name}`;
    rest.operations.push({ ...built.rest, call, ...withBlock(built.inputs, restNs) });
    tools.push({ ...built.tool, call, ...withBlock(built.inputs, mcpNs) });
  }

  const tags = [...new Set(operations.flatMap((op) => op.tags))].sort();
  const capability: Obj = {
    naftiko: '1.0.0-alpha2',
    info: {
      label: api.title,
      description: api.description ?? `${api.title}${api.version ? ` ${api.version}` : ''}, imported from its OpenAPI description.`,
      ...(tags.length ? { tags } : {}),
    },
    ...(env.variables.length ? { binds: [{ namespace: `${ns}-env`, keys: Object.fromEntries(env.variables.map((v) => [v, v])) }] } : {}),
    capability: {
      consumes: [{
        type: 'http',
        namespace: ns,
        ...(api.description ? { description: firstParagraph(api.description) } : {}),
        baseUri: (options.baseUri ?? api.baseUri).replace(/\/+$/, ''),
        ...(env.params.length ? { inputParameters: env.params } : {}),
        ...(env.auth ? { authentication: env.auth } : {}),
        resources: [...consumedResources.values()],
      }],
      exposes: [
        { type: 'rest', namespace: restNs, port: REST_PORT, resources: [...restResources.values()] },
        { type: 'mcp', namespace: mcpNs, port: MCP_PORT, transport: 'http', description: `MCP tools for ${api.title}: one per operation.`, tools },
      ],
    },
  };

  const yaml = new Document(capability, { aliasDuplicateObjects: false });
  // Quoted as in the official examples: a version, not something a reader might take for a number.
  (yaml.get('naftiko', true) as Scalar).type = Scalar.QUOTE_DOUBLE;
  yaml.commentBefore = header(api, options, tools.length, env.variables).map((l) => ` ${l}`.trimEnd()).join('\n');
  return {
    text: yaml.toString({ lineWidth: 120, minContentWidth: 40 }),
    operations: tools.length,
    warnings,
    environment: env.variables,
  };
}

interface BuiltOperation {
  consumed: Obj;
  rest: Obj;
  tool: Obj;
  /** Every caller input, by name (each travels through `with`). */
  inputs: string[];
}

function buildOperation(op: ImportedOperation, name: string, security: ImportedSecurity | undefined, warnings: string[]): BuiltOperation {
  const names = new Set<string>();
  const consumedParams: Obj[] = [];
  const restParams: Obj[] = [];
  const toolParams: Obj[] = [];
  const where = `${op.method} ${op.path}`;
  for (const p of op.params) {
    // The credential is the consumes namespace's authentication, not a caller input.
    if (security?.kind === 'apikey' && security.in === p.in && security.name.toLowerCase() === p.name.toLowerCase()) continue;
    if (names.has(p.name)) {
      warnings.push(`${where}: the ${p.in} parameter "${p.name}" is skipped: another parameter has that name`);
      continue;
    }
    names.add(p.name);
    const description = p.description ?? `${capitalise(p.in)} parameter \`${p.name}\`.`;
    // Arrays go upstream comma-separated only when the consumed parameter says it is one.
    consumedParams.push({ name: p.name, in: p.in, ...(p.type === 'array' ? { type: 'array' } : {}) });
    restParams.push({ name: p.name, in: p.in, type: p.type, description, ...(p.required && p.in !== 'path' ? { required: true } : {}) });
    toolParams.push({ name: p.name, type: p.type, description, required: p.required });
  }
  if (op.body?.kind === 'whole') {
    let bodyName = op.body.name;
    for (let n = 2; names.has(bodyName); n += 1) bodyName = `${op.body.name}-${n}`;
    names.add(bodyName);
    const json = /json/i.test(op.body.contentType) || op.body.contentType === '*/*';
    const description = op.body.description ?? `The request body (${json ? 'JSON' : op.body.contentType}).`;
    consumedParams.push({ name: bodyName, in: 'body' });
    if (!json) consumedParams.push({ name: 'Content-Type', in: 'header', value: op.body.contentType });
    restParams.push({ name: bodyName, in: 'body', type: op.body.type, description, ...(op.body.required ? { required: true } : {}) });
    toolParams.push({ name: bodyName, type: op.body.type, description, required: op.body.required });
  } else if (op.body?.kind === 'form') {
    for (const f of op.body.fields) {
      if (names.has(f.name)) {
        warnings.push(`${where}: the form field "${f.name}" is skipped: a parameter has that name`);
        continue;
      }
      names.add(f.name);
      const description = f.description ?? `Form field \`${f.name}\`.`;
      // REST inputs for form fields are implied from these (callers send multipart, urlencoded or JSON).
      consumedParams.push({ name: f.name, in: 'formData', type: f.type, description, ...(f.required ? { required: true } : {}) });
      toolParams.push({ name: f.name, type: f.type === 'file' ? 'string' : f.type, description: f.type === 'file' ? `${description} (file content, base64)` : description, required: f.required });
    }
    if (op.body.multipart && !op.body.fields.some((f) => f.type === 'file')) {
      warnings.push(`${where}: the multipart body has no file field; it is sent form-urlencoded`);
    }
  }
  const label = op.summary !== undefined && !op.summary.includes('\n') ? op.summary : undefined;
  const toolDescription = op.description ?? op.summary ?? `${op.method} ${op.path}`;
  return {
    consumed: {
      name,
      method: op.method,
      ...(label ? { label } : {}),
      // The summary is already the label; the description only when there is one.
      ...(op.description ?? (label ? undefined : op.summary) ? { description: op.description ?? op.summary } : {}),
      ...(consumedParams.length ? { inputParameters: consumedParams } : {}),
    },
    rest: {
      method: op.method,
      name,
      ...(op.summary ?? op.description ? { description: op.summary ?? op.description } : {}),
      ...(restParams.length ? { inputParameters: restParams } : {}),
    },
    tool: {
      name,
      ...(label ? { label } : {}),
      description: toolDescription,
      hints: HINTS[op.method as HttpMethod],
      ...(toolParams.length ? { inputParameters: toolParams } : {}),
    },
    inputs: [...names],
  };
}

/** `with: {x: <namespace>.x}` for every input (the official way to pass a caller's input on). */
function withBlock(inputs: readonly string[], namespace: string): Obj {
  // A name with whitespace cannot be a reference; such an input is matched by name instead.
  const usable = inputs.filter((i) => !/\s/.test(i));
  return usable.length ? { with: Object.fromEntries(usable.map((i) => [i, `${namespace}.${i}`])) } : {};
}

/** The upstream credential: bind variables read from the environment, and where they go. */
function credential(security: ImportedSecurity | undefined, ns: string): { variables: string[]; auth?: Obj; params: Obj[] } {
  const prefix = screamingSnake(ns);
  switch (security?.kind) {
    case undefined:
      return { variables: [], params: [] };
    case 'bearer':
      return { variables: [`${prefix}_TOKEN`], auth: { type: 'bearer', token: `{{${prefix}_TOKEN}}` }, params: [] };
    case 'basic':
      return {
        variables: [`${prefix}_USERNAME`, `${prefix}_PASSWORD`],
        auth: { type: 'basic', username: `{{${prefix}_USERNAME}}`, password: `{{${prefix}_PASSWORD}}` },
        params: [],
      };
    case 'apikey':
      if (security.in === 'cookie') return { variables: [`${prefix}_API_KEY`], params: [{ name: security.name, in: 'cookie', value: `{{${prefix}_API_KEY}}` }] };
      return { variables: [`${prefix}_API_KEY`], auth: { type: 'apikey', key: security.name, value: `{{${prefix}_API_KEY}}`, placement: security.in }, params: [] };
  }
}

function header(api: ImportedApi, options: ImportOptions, count: number, variables: readonly string[]): string[] {
  const what = `${api.dialect} "${api.title}"${api.version ? ` ${api.version}` : ''}`;
  return [
    `Imported by naftiko-codegen from ${options.source} (${what})${options.tag !== undefined ? `, operations tagged "${options.tag}"` : ''}.`,
    `${count} operation${count === 1 ? '' : 's'}: consumed over HTTP, exposed as REST (port ${REST_PORT}) and as MCP tools (port ${MCP_PORT}).`,
    ...(variables.length ? [`The upstream credential is read from the environment: ${variables.join(', ')}.`] : []),
    'The adapters have no authentication of their own: add `authentication` to each exposes entry',
    'before serving them beyond this machine.',
  ];
}

/** `/pets/{petId}` → `/pets/{{petId}}`, the official form of consumed path variables. */
function consumedPath(path: string): string {
  return path.replace(/\{([^{}]+)\}/g, '{{$1}}');
}

function firstParagraph(text: string): string {
  return text.split(/\n\s*\n/)[0]!.trim();
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function shownPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file)).split('\\').join('/');
  return rel.startsWith('..') ? basename(file) : rel;
}
