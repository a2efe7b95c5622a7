/**
 * Reads an OpenAPI 2 (Swagger) or 3.x document into one small neutral form the importer
 * writes from: operations with typed parameters, one request body, the base URI and the
 * credential the API wants. Local `$ref`s are followed; external ones are refused clearly.
 */
import type { HttpMethod } from '../runtime/descriptor.js';

export class ImportError extends Error {
  override name = 'ImportError';
}

/** Types a capability can declare for an exposed input. */
export type ImportedType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';

export interface ImportedParam {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly type: ImportedType;
  readonly required: boolean;
  readonly description?: string;
}

export interface ImportedField {
  readonly name: string;
  readonly type: ImportedType | 'file';
  readonly required: boolean;
  readonly description?: string;
}

export type ImportedBody =
  /** The whole JSON body (or another media type, sent with its Content-Type). */
  | { readonly kind: 'whole'; readonly name: string; readonly type: ImportedType; readonly required: boolean; readonly description?: string; readonly contentType: string }
  /** Form fields, urlencoded or multipart. */
  | { readonly kind: 'form'; readonly fields: readonly ImportedField[]; readonly multipart: boolean };

export interface ImportedOperation {
  readonly method: HttpMethod;
  readonly path: string;
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params: readonly ImportedParam[];
  readonly body?: ImportedBody;
}

export type ImportedSecurity =
  | { readonly kind: 'bearer' | 'basic'; readonly scheme: string }
  | { readonly kind: 'apikey'; readonly scheme: string; readonly name: string; readonly in: 'header' | 'query' | 'cookie' };

export interface ImportedApi {
  /** `OpenAPI 3.0.3` or `Swagger 2.0`. */
  readonly dialect: string;
  readonly title: string;
  readonly version?: string;
  readonly description?: string;
  /** '' when the document names no absolute server. */
  readonly baseUri: string;
  readonly operations: readonly ImportedOperation[];
  readonly security?: ImportedSecurity;
  readonly warnings: readonly string[];
}

type Obj = Record<string, unknown>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const SUPPORTED = new Set(['get', 'put', 'post', 'delete', 'patch']);
/** Header parameters OpenAPI itself says to ignore; the HTTP client and auth own them. */
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function readOpenApi(doc: unknown): ImportedApi {
  if (!isObj(doc)) throw new ImportError('not an OpenAPI document (expected a YAML or JSON object)');
  const v2 = doc.swagger === '2.0';
  const v3 = typeof doc.openapi === 'string' && /^3\./.test(doc.openapi);
  if (!v2 && !v3) throw new ImportError('not an OpenAPI 2 or 3 document: it has neither `swagger: "2.0"` nor `openapi: 3.x`');
  const reader = new Reader(doc, v2);
  return reader.read(v2 ? 'Swagger 2.0' : `OpenAPI ${String(doc.openapi)}`);
}

class Reader {
  readonly warnings: string[] = [];
  constructor(private readonly doc: Obj, private readonly v2: boolean) {}

  read(dialect: string): ImportedApi {
    const info = isObj(this.doc.info) ? this.doc.info : {};
    const operations: ImportedOperation[] = [];
    const paths = isObj(this.doc.paths) ? this.doc.paths : {};
    for (const [path, rawItem] of Object.entries(paths)) {
      const item = this.deref(rawItem);
      if (!isObj(item)) continue;
      for (const method of METHODS) {
        const op = item[method];
        if (!isObj(op)) continue;
        if (!SUPPORTED.has(method)) {
          this.warnings.push(`${method.toUpperCase()} ${path} is skipped: capabilities expose GET, POST, PUT, PATCH and DELETE`);
          continue;
        }
        operations.push(this.operation(path, method.toUpperCase() as HttpMethod, item, op));
      }
    }
    const title = text(info.title) ?? 'API';
    const version = text(info.version);
    const description = text(info.description);
    const security = this.security();
    return { dialect, title, ...(version ? { version } : {}), ...(description ? { description } : {}), baseUri: this.baseUri(), operations, ...(security ? { security } : {}), warnings: this.warnings };
  }

  /** Follows local `$ref`s (`#/components/...`, `#/definitions/...`). */
  deref(node: unknown, seen: ReadonlySet<string> = new Set()): unknown {
    if (!isObj(node) || typeof node.$ref !== 'string') return node;
    const ref = node.$ref;
    if (!ref.startsWith('#/')) throw new ImportError(`external $ref "${ref}" is not supported; bundle the document into one file first`);
    if (seen.has(ref)) return {};
    let target: unknown = this.doc;
    for (const part of ref.slice(2).split('/')) {
      const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObj(target) ? target[key] : undefined;
    }
    if (target === undefined) throw new ImportError(`$ref "${ref}" points to nothing in the document`);
    return this.deref(target, new Set([...seen, ref]));
  }

  private operation(path: string, method: HttpMethod, item: Obj, op: Obj): ImportedOperation {
    // Operation-level parameters override path-level ones of the same name and location.
    const declared = new Map<string, Obj>();
    for (const raw of [...list(item.parameters), ...list(op.parameters)]) {
      const p = this.deref(raw);
      if (isObj(p) && typeof p.name === 'string' && typeof p.in === 'string') declared.set(`${p.in}:${p.name}`, p);
    }
    const params: ImportedParam[] = [];
    const formFields: ImportedField[] = [];
    let body: ImportedBody | undefined;
    for (const p of declared.values()) {
      const where = p.in as string;
      const name = p.name as string;
      const description = text(p.description);
      if (where === 'body') {
        body = this.wholeBody(name, this.deref(p.schema), p.required === true, description, this.mediaTypes(op));
      } else if (where === 'formData') {
        formFields.push({ name, type: p.type === 'file' ? 'file' : this.typeOf(p), required: p.required === true, ...(description ? { description } : {}) });
      } else if (where === 'path' || where === 'query' || where === 'header' || where === 'cookie') {
        if (where === 'header' && IGNORED_HEADERS.has(name.toLowerCase())) continue;
        params.push({ name, in: where, type: this.typeOf(p), required: where === 'path' || p.required === true, ...(description ? { description } : {}) });
      }
    }
    if (formFields.length > 0) {
      const multipart = formFields.some((f) => f.type === 'file') || this.mediaTypes(op).includes('multipart/form-data');
      body = { kind: 'form', fields: formFields, multipart };
    }
    if (!this.v2 && op.requestBody !== undefined) body = this.requestBody(op);
    const operationId = text(op.operationId);
    const summary = text(op.summary);
    const description = text(op.description);
    return {
      method,
      path,
      ...(operationId ? { operationId } : {}),
      ...(summary ? { summary } : {}),
      ...(description ? { description } : {}),
      tags: list(op.tags).filter((t): t is string => typeof t === 'string'),
      params,
      ...(body ? { body } : {}),
    };
  }

  /** Swagger 2 `consumes` of an operation (or the document). */
  private mediaTypes(op: Obj): string[] {
    return list(op.consumes ?? this.doc.consumes).filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase());
  }

  private requestBody(op: Obj): ImportedBody | undefined {
    const rb = this.deref(op.requestBody);
    if (!isObj(rb) || !isObj(rb.content)) return undefined;
    const types = Object.keys(rb.content);
    const required = rb.required === true;
    const description = text(rb.description);
    const name = text(op['x-codegen-request-body-name']) ?? 'body';
    const json = types.find(isJson);
    const pick = json ?? types.find((t) => t === 'application/x-www-form-urlencoded' || t === 'multipart/form-data') ?? types[0];
    if (pick === undefined) return undefined;
    const media = this.deref(rb.content[pick]);
    const schema = isObj(media) ? this.deref(media.schema) : undefined;
    if (!json && (pick === 'application/x-www-form-urlencoded' || pick === 'multipart/form-data')) {
      const fields = this.fields(schema);
      if (fields.length > 0) return { kind: 'form', fields, multipart: pick === 'multipart/form-data' };
    }
    return this.wholeBody(name, schema, required, description, [pick]);
  }

  private wholeBody(name: string, schema: unknown, required: boolean, description: string | undefined, mediaTypes: readonly string[]): ImportedBody {
    const contentType = mediaTypes.find(isJson) ?? mediaTypes[0] ?? 'application/json';
    const type = isJson(contentType) ? this.schemaType(schema) : 'string';
    return { kind: 'whole', name, type, required, ...(description ? { description } : {}), contentType };
  }

  /** Top-level properties of a form schema. */
  private fields(schema: unknown): ImportedField[] {
    const resolved = this.merged(schema);
    const required = new Set(list(resolved.required).filter((r): r is string => typeof r === 'string'));
    return Object.entries(isObj(resolved.properties) ? resolved.properties : {}).map(([name, raw]) => {
      const prop = this.deref(raw);
      const binary = isObj(prop) && (prop.format === 'binary' || prop.type === 'file' || typeof prop.contentMediaType === 'string');
      const description = isObj(prop) ? text(prop.description) : undefined;
      return { name, type: binary ? 'file' : this.schemaType(prop), required: required.has(name), ...(description ? { description } : {}) };
    });
  }

  /** `allOf` parts merged into one object schema (properties and required). */
  private merged(schema: unknown): Obj {
    const s = this.deref(schema);
    if (!isObj(s)) return {};
    if (!Array.isArray(s.allOf)) return s;
    const properties: Obj = { ...(isObj(s.properties) ? s.properties : {}) };
    const required = [...list(s.required)];
    for (const part of s.allOf) {
      const m = this.merged(part);
      Object.assign(properties, isObj(m.properties) ? m.properties : {});
      required.push(...list(m.required));
    }
    return { ...s, properties, required };
  }

  /** The type of a parameter: Swagger 2 `type`, OpenAPI 3 `schema` (or `content`). */
  private typeOf(p: Obj): ImportedType {
    if (this.v2 || typeof p.type === 'string') return this.schemaType(p);
    if (p.schema !== undefined) return this.schemaType(this.deref(p.schema));
    if (isObj(p.content)) return 'object';
    return 'string';
  }

  schemaType(schema: unknown, depth = 0): ImportedType {
    const s = this.deref(schema);
    if (!isObj(s) || depth > 8) return 'string';
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const type = types.find((t) => typeof t === 'string' && t !== 'null');
    if (type === 'integer' || type === 'number' || type === 'boolean' || type === 'array' || type === 'object' || type === 'string') return type;
    if (isObj(s.properties) || isObj(s.additionalProperties)) return 'object';
    if (s.items !== undefined) return 'array';
    for (const key of ['allOf', 'oneOf', 'anyOf']) {
      const first = list(s[key])[0];
      if (first !== undefined) return this.schemaType(first, depth + 1);
    }
    return 'string';
  }

  private baseUri(): string {
    let url: string | undefined;
    if (this.v2) {
      const host = text(this.doc.host);
      const schemes = list(this.doc.schemes).filter((s): s is string => typeof s === 'string');
      const scheme = schemes.includes('https') ? 'https' : schemes[0] ?? 'https';
      if (host) url = `${scheme}://${host}${text(this.doc.basePath) ?? ''}`;
    } else {
      const server = list(this.doc.servers).find(isObj);
      const raw = server ? text(server.url) : undefined;
      if (raw) {
        const variables = isObj(server!.variables) ? server!.variables : {};
        url = raw.replace(/\{([^}]+)\}/g, (m, name: string) => {
          const v = variables[name];
          return isObj(v) && v.default !== undefined ? String(v.default) : m;
        });
      }
    }
    if (url !== undefined && !/^https?:\/\//i.test(url)) {
      this.warnings.push(`the server URL "${url}" is not absolute: the capability's baseUri is left empty (give it with --base-uri, or --base-uri at run time)`);
      return '';
    }
    if (url === undefined) {
      this.warnings.push('the document names no server: the baseUri is left empty (give it with --base-uri, or at run time)');
      return '';
    }
    return url.replace(/\/+$/, '');
  }

  /** The credential of the document's first security requirement (or first scheme). */
  private security(): ImportedSecurity | undefined {
    const components = isObj(this.doc.components) ? this.doc.components : {};
    const schemes = (this.v2 ? this.doc.securityDefinitions : components.securitySchemes) as unknown;
    if (!isObj(schemes)) return undefined;
    const required = list(this.doc.security).find(isObj);
    const name = (required ? Object.keys(required)[0] : undefined) ?? Object.keys(schemes)[0];
    if (name === undefined) return undefined;
    const scheme = this.deref(schemes[name]);
    if (!isObj(scheme)) return undefined;
    const type = String(scheme.type ?? '');
    if (type === 'apiKey' && typeof scheme.name === 'string') {
      const where = scheme.in === 'query' || scheme.in === 'cookie' ? scheme.in : 'header';
      return { kind: 'apikey', scheme: name, name: scheme.name, in: where };
    }
    if (type === 'basic' || (type === 'http' && String(scheme.scheme).toLowerCase() === 'basic')) return { kind: 'basic', scheme: name };
    if (type === 'http' || type === 'oauth2' || type === 'openIdConnect') {
      if (type !== 'http') this.warnings.push(`security scheme "${name}" (${type}) becomes a bearer token read from the environment: obtain the token outside the capability`);
      return { kind: 'bearer', scheme: name };
    }
    this.warnings.push(`security scheme "${name}" of type "${type}" is not imported`);
    return undefined;
  }
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isJson(mediaType: string): boolean {
  return /^application\/(.+\+)?json\b/i.test(mediaType) || /^text\/json\b/i.test(mediaType) || mediaType === '*/*';
}
