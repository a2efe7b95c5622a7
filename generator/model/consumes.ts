/**
 * `consumes` entries → ConsumesModel: imports inlined, resource-level parameters merged,
 * implied path variables and template variables turned into explicit inputs (catalogue
 * dialect S3/S5: `{x}` and `{{x}}` both count), body forms normalised.
 */
import { xmlTemplate } from './xml-body.js';
import type { AuthSpec, BodySpec, HttpMethod, ParamLocation, ParamType } from '../runtime/descriptor.js';
import { variablesOf } from '../runtime/template.js';
import type { LoadedSpec } from '../load/load.js';
import type { ConsumesModel, InputField, OperationModel, ParamModel } from './ir.js';
import { buildAuth } from './auth.js';
import { camelCase, pascalCase, SymbolTable } from './names.js';
import { child, has, isObj, items, str, text, type Node, type Reporter } from './spec-access.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
const LOCATIONS = new Set(['path', 'query', 'header', 'cookie', 'body', 'formData']);
const TYPES = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object', 'file']);
/** RFC 9110 token: what a header or cookie name may be made of. */
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** `{x}` and `{{x}}` placeholders of a consumed path or base URI, in order. */
export function pathVariables(path: string): string[] {
  const names: string[] = [];
  for (const m of path.matchAll(/\{\{?\s*([^{}\s]+?)\s*\}?\}/g)) if (!names.includes(m[1]!)) names.push(m[1]!);
  return names;
}

export interface ConsumesContext {
  readonly report: Reporter;
  readonly symbols: SymbolTable;
  readonly clientKeys: SymbolTable;
  /** True for `{{VAR}}` / `{{ns.VAR}}` that name bind variables rather than inputs. */
  readonly isBindRef: (name: string) => boolean;
  readonly imports: ReadonlyMap<string, LoadedSpec>;
  /** Names of `in: environment` parameters seen so far (they become environment binds). */
  readonly environment: Set<string>;
}

/** Resolves `location` imports to the imported consumes node (with its own file positions). */
export function resolveConsumesNode(node: Node, ctx: ConsumesContext): Node | undefined {
  const location = str(child(node, 'location'));
  if (location === undefined) return node;
  const imported = ctx.imports.get(location);
  if (!imported) return undefined; // the loader has reported the missing file
  const wanted = str(child(node, 'import'));
  const root: Node = { value: imported.doc, spec: imported, path: [] };
  const found = items(child(root, 'consumes')).find((c) => str(child(c, 'namespace')) === wanted);
  if (!found) {
    const available = items(child(root, 'consumes')).map((c) => str(child(c, 'namespace'))).filter(Boolean);
    ctx.report.error(child(node, 'import'), 'import-not-found', `no consumes namespace "${wanted}" in ${location}`,
      available.length ? `use one of: ${available.join(', ')}` : `${location} declares no root consumes`);
    return undefined;
  }
  const alias = str(child(node, 'as'));
  return alias ? { ...found, value: { ...(found.value as object), namespace: alias } } : found;
}

export function buildConsumes(node: Node, ctx: ConsumesContext): ConsumesModel | undefined {
  const type = str(child(node, 'type')) ?? 'http';
  if (type !== 'http') {
    ctx.report.error(child(node, 'type'), 'unsupported', `consumes type "${type}" is not supported`, 'only type: http is');
    return undefined;
  }
  const namespace = str(child(node, 'namespace')) ?? 'default';
  const baseUri = str(child(node, 'baseUri')) ?? '';
  if (baseUri.endsWith('/') && baseUri.length > 0) {
    ctx.report.error(child(node, 'baseUri'), 'base-uri-trailing-slash', 'baseUri must not end with "/"',
      `write "${baseUri.replace(/\/+$/, '')}"`);
  }
  const params = items(child(node, 'inputParameters')).map((p) => buildParam(p, ctx)).filter((p): p is ParamModel => !!p);
  const auth = buildAuth(child(node, 'authentication'), ctx.report, 'outbound');
  const methodNames = new SymbolTable(['constructor', 'close']);
  const operations: OperationModel[] = [];
  for (const resource of items(child(node, 'resources'))) {
    const resourcePath = str(child(resource, 'path')) ?? '';
    const resourceParams = items(child(resource, 'inputParameters')).map((p) => buildParam(p, ctx)).filter((p): p is ParamModel => !!p);
    uniqueInputs(items(child(resource, 'inputParameters')), [], ctx);
    for (const op of items(child(resource, 'operations'))) {
      const built = buildOperation(op, resourcePath, resourceParams, params, auth, ctx, methodNames);
      if (built) operations.push(built);
    }
  }
  const className = ctx.symbols.allocate(`${pascalCase(namespace)}Client`);
  return {
    namespace,
    ...(str(child(node, 'description')) ? { description: str(child(node, 'description')) } : {}),
    baseUri,
    hostVariables: pathVariables(baseUri),
    params,
    ...(auth ? { auth } : {}),
    operations,
    className,
    specConst: ctx.symbols.allocate(`${camelCase(namespace)}Namespace`),
    clientsKey: ctx.clientKeys.allocate(camelCase(namespace)),
  };
}

function buildOperation(
  node: Node,
  resourcePath: string,
  resourceParams: readonly ParamModel[],
  adapterParams: readonly ParamModel[],
  auth: AuthSpec | undefined,
  ctx: ConsumesContext,
  methodNames: SymbolTable,
): OperationModel | undefined {
  const name = str(child(node, 'name')) ?? 'operation';
  const method = (str(child(node, 'method')) ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) {
    ctx.report.error(child(node, 'method'), 'bad-method', `method "${method}" is not supported`, 'use GET, POST, PUT, PATCH, DELETE or HEAD');
    return undefined;
  }
  // Reported, then built anyway: the file is not generated, and calls to it raise no second error.
  uniqueInputs(items(child(node, 'inputParameters')), resourceParams.filter((r) => !opParamsHave(node, r)), ctx);
  // Operation-level parameters override resource-level ones of the same name and location.
  const declared = [...resourceParams.filter((r) => !opParamsHave(node, r)), ...items(child(node, 'inputParameters')).map((p) => buildParam(p, ctx)).filter((p): p is ParamModel => !!p)];
  const params: ParamModel[] = [...declared];
  for (const variable of pathVariables(resourcePath)) {
    if (ctx.isBindRef(variable)) continue;
    const existing = params.findIndex((p) => p.name === variable);
    if (existing < 0) params.push({ name: variable, in: 'path', type: 'string', required: true });
    else if (params[existing]!.value === undefined) params[existing] = { ...params[existing]!, in: 'path', required: true };
  }
  const body = buildBody(child(node, 'body'), ctx);

  // Template variables (body, parameter values, auth) that are not binds are caller inputs too.
  const templates: string[] = [];
  if (body) templates.push(...bodyTemplates(body));
  for (const p of [...adapterParams, ...params]) if (p.value !== undefined) templates.push(p.value);
  if (auth) templates.push(...authTemplates(auth));
  const inputs: InputField[] = params
    .filter((p) => p.value === undefined)
    .map((p) => ({ name: p.name, type: p.type, required: p.required, in: p.in, ...(p.description ? { description: p.description } : {}) }));
  for (const template of templates) {
    for (const variable of variablesOf(template)) {
      if (ctx.isBindRef(variable) || inputs.some((i) => i.name === variable)) continue;
      inputs.push({ name: variable, type: 'string', required: false, in: 'template' });
    }
  }
  const formEncoding = params.some((p) => p.in === 'formData')
    ? params.some((p) => p.in === 'formData' && p.type === 'file') ? 'multipart' : 'urlencoded'
    : undefined;
  const pascal = pascalCase(name);
  return {
    name,
    ...(str(child(node, 'label')) ? { label: str(child(node, 'label')) } : {}),
    ...(str(child(node, 'description')) ? { description: str(child(node, 'description')) } : {}),
    method: method as HttpMethod,
    path: resourcePath,
    params,
    inputs,
    ...(body ? { body } : {}),
    ...(formEncoding ? { formEncoding } : {}),
    outputFormat: str(child(node, 'outputRawFormat')) ?? 'json',
    ...binaryOutput(node, ctx),
    ...(str(child(node, 'outputSchema')) ? { outputSchema: str(child(node, 'outputSchema')) } : {}),
    resultKind: method === 'HEAD' ? 'none' : resultKind(child(node, 'outputParameters')),
    methodName: methodNames.allocate(camelCase(name)),
    inputType: ctx.symbols.allocate(`${pascal}Input`),
    resultType: ctx.symbols.allocate(`${pascal}Result`),
    specConst: ctx.symbols.allocate(`${camelCase(name)}Operation`),
  };
}

/**
 * Inputs are keyed by name (input types, REST schemas, MCP arguments): one operation cannot take
 * two parameters of one name, even in different places. Constants are not inputs.
 */
function uniqueInputs(nodes: readonly Node[], inherited: readonly ParamModel[], ctx: ConsumesContext): void {
  const seen = new Map<string, string>(inherited.filter((p) => p.value === undefined).map((p) => [p.name, 'on the resource']));
  for (const p of nodes) {
    const name = text(child(p, 'name'));
    if (name === undefined || has(p, 'value') || has(p, 'template') || str(child(p, 'in')) === 'environment') continue;
    const previous = seen.get(name);
    if (previous !== undefined) {
      ctx.report.error(child(p, 'name'), 'duplicate-input', `input "${name}" is already declared ${previous}`,
        'parameter names of one operation must be unique: they are the keys of its input type');
    }
    seen.set(name, `at line ${p.spec.locate(p.path).line}`);
  }
}

function resultKind(outputs: Node): OperationModel['resultKind'] {
  const first = items(outputs)[0];
  if (!first) return 'any';
  const type = str(child(first, 'type'));
  const path = str(child(first, 'mapping')) ?? str(child(first, 'value'));
  if (path !== undefined && path !== '$' && path !== '$.') return 'any';
  return type === 'object' ? 'object' : type === 'array' ? 'array' : 'any';
}

function opParamsHave(node: Node, param: ParamModel): boolean {
  return items(child(node, 'inputParameters')).some((p) => str(child(p, 'name')) === param.name && (str(child(p, 'in')) ?? 'query') === param.in);
}

const SIZE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
const MEDIA_TYPE = /^[a-zA-Z0-9!#$&^_.+-]+\/[a-zA-Z0-9!#$&^_.+-]+(?:\s*;\s*[a-zA-Z0-9!#$&^_.+-]+=(?:[a-zA-Z0-9!#$&^_.+-]+|"[^"]*"))*$/;

/** `512KiB`, `5MiB`, `1GiB` → bytes (the unit is required, as the beta5 schema says). */
export function binarySize(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB)$/.exec(value.trim());
  return m ? Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!]!) : undefined;
}

/** `outputMediaType` and `maxBinarySize` of a consumed operation (Ikanos beta5 binary outputs). */
function binaryOutput(node: Node, ctx: ConsumesContext): { mediaType?: string; maxBytes?: number } {
  const out: { mediaType?: string; maxBytes?: number } = {};
  const mediaType = str(child(node, 'outputMediaType'));
  if (mediaType !== undefined) {
    if (MEDIA_TYPE.test(mediaType)) out.mediaType = mediaType;
    else ctx.report.error(child(node, 'outputMediaType'), 'bad-media-type', `outputMediaType "${mediaType}" is not a media type`, 'write it as type/subtype, e.g. image/jpeg');
  }
  const size = child(node, 'maxBinarySize');
  if (size.value !== undefined) {
    const bytes = typeof size.value === 'string' ? binarySize(size.value) : undefined;
    if (bytes !== undefined) out.maxBytes = bytes;
    else ctx.report.error(size, 'bad-binary-size', `maxBinarySize ${JSON.stringify(size.value)} is not a size with a unit`, 'write a number and B, KiB, MiB or GiB, e.g. 5MiB');
  }
  return out;
}

function buildParam(node: Node, ctx: ConsumesContext): ParamModel | undefined {
  const name = text(child(node, 'name'));
  if (!name) return undefined;
  const location = str(child(node, 'in')) ?? 'query';
  if (location === 'environment') {
    // The engine reads an environment variable of that name into the execution context, where
    // templates (`{{name}}`) use it; nothing is sent upstream for it.
    ctx.environment.add(name);
    return undefined;
  }
  if (!LOCATIONS.has(location)) {
    ctx.report.error(child(node, 'in'), 'bad-location', `parameter location "${location}" is not supported`, 'use path, query, header, cookie, body or formData');
    return undefined;
  }
  const type = str(child(node, 'type')) ?? 'string';
  const value = has(node, 'value') ? text(child(node, 'value')) : has(node, 'template') ? text(child(node, 'template')) : undefined;
  // A name or constant no HTTP message can carry would fail every call at run time (or, worse,
  // split the header block): refuse it here, where the author can see where it is.
  if ((location === 'header' || location === 'cookie') && !HTTP_TOKEN.test(name)) {
    ctx.report.error(child(node, 'name'), `bad-${location}-name`, `${location} name ${JSON.stringify(name)} is not a valid HTTP token`,
      'use letters, digits and !#$%&\'*+-.^_`|~ only (no spaces, colons or line breaks)');
    return undefined;
  }
  if ((location === 'header' || location === 'cookie') && value !== undefined && /[\r\n\0]/.test(value)) {
    const key = has(node, 'value') ? 'value' : 'template';
    ctx.report.error(child(node, key), `bad-${location}-value`, `${location} "${name}" has a value with a line break or NUL, which a header cannot carry`,
      'remove the line break (YAML block scalars such as | and > add one at the end; use |- or a quoted string)');
    return undefined;
  }
  return {
    name,
    in: location as ParamLocation,
    type: (TYPES.has(type) ? type : 'string') as ParamType,
    // Catalogue dialect (D3): `required` absent means optional; path parameters always required.
    required: location === 'path' || child(node, 'required').value === true,
    ...(str(child(node, 'description')) ? { description: str(child(node, 'description')) } : {}),
    ...(value !== undefined ? { value } : {}),
  };
}

const BODY_TYPES: Record<string, string> = {
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  xml: 'application/xml',
  sparql: 'application/sparql-query',
};

function buildBody(node: Node, ctx: ConsumesContext): BodySpec | undefined {
  const value = node.value;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return { kind: 'template', template: value, contentType: 'application/json' };
  if (!isObj(value)) {
    ctx.report.error(node, 'bad-body', 'body must be a string or {type, data}');
    return undefined;
  }
  const type = str(child(node, 'type')) ?? 'json';
  const data = value.data;
  if (type === 'formUrlEncoded') {
    if (typeof data === 'string') return { kind: 'template', template: data, contentType: 'application/x-www-form-urlencoded' };
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(isObj(data) ? data : {})) fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
    return { kind: 'form', fields };
  }
  if (type === 'multipartForm') {
    const parts = (Array.isArray(data) ? data : []).filter(isObj).map((p) => ({
      name: String(p.name ?? ''),
      value: typeof p.value === 'string' ? p.value : JSON.stringify(p.value ?? ''),
      ...(typeof p.filename === 'string' ? { filename: p.filename } : {}),
      ...(typeof p.contentType === 'string' ? { contentType: p.contentType } : {}),
    }));
    return { kind: 'multipart', parts };
  }
  const contentType = BODY_TYPES[type];
  if (!contentType) {
    ctx.report.error(child(node, 'type'), 'unsupported', `body type "${type}" is not supported`, 'use json, text, xml, sparql, formUrlEncoded or multipartForm');
    return undefined;
  }
  if (type === 'json' && typeof data !== 'string') return { kind: 'json', data: data ?? null };
  if (type === 'xml' && isObj(data)) {
    const xml = xmlTemplate(data);
    if ('template' in xml) return { kind: 'template', template: xml.template, contentType };
    ctx.report.error(child(node, 'data'), 'bad-body', `"${xml.badName}" is not a valid XML element name`, 'use names made of letters, digits, "_", "-" and "." that start with a letter or "_"');
    return undefined;
  }
  return { kind: 'template', template: typeof data === 'string' ? data : JSON.stringify(data ?? ''), contentType };
}

function bodyTemplates(body: BodySpec): string[] {
  switch (body.kind) {
    case 'template':
      return [body.template];
    case 'json':
      return [JSON.stringify(body.data)];
    case 'form':
      return Object.values(body.fields);
    case 'multipart':
      return body.parts.map((p) => p.value);
  }
}

function authTemplates(auth: AuthSpec): string[] {
  switch (auth.type) {
    case 'bearer':
      return [auth.token];
    case 'basic':
    case 'digest':
      return [auth.username, auth.password];
    case 'apikey':
      return [auth.value];
  }
}
