/**
 * The declarative description of consumed HTTP operations that generated clients carry.
 * The generator writes these as constant data; `request.ts` turns them into requests.
 */
import type { BudgetSettings } from './budget.js';
import type { CachePolicy } from './cache.js';
import type { RetryPolicy } from './retry.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
export type ParamLocation = 'path' | 'query' | 'header' | 'cookie' | 'body' | 'formData';
export type ParamType = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'file';

export interface ParamSpec {
  /** Name on the wire, verbatim (`api-version`, `$filter`). */
  readonly name: string;
  readonly in: ParamLocation;
  readonly type: ParamType;
  readonly required?: boolean | undefined;
  /** Constant or `{{template}}`: the value is computed, never taken from the caller. */
  readonly value?: string | undefined;
}

export type BodySpec =
  /** A text template (raw string, `text`, `xml`, `sparql`, JSON text); JSON-aware when JSON. */
  | { readonly kind: 'template'; readonly template: string; readonly contentType: string }
  /** Structured JSON data whose string leaves may be templates. */
  | { readonly kind: 'json'; readonly data: unknown }
  /** `formUrlEncoded`: field → template. */
  | { readonly kind: 'form'; readonly fields: Readonly<Record<string, string>> }
  /** `multipartForm` parts. */
  | {
      readonly kind: 'multipart';
      readonly parts: readonly {
        readonly name: string;
        readonly value: string;
        readonly filename?: string | undefined;
        readonly contentType?: string | undefined;
      }[];
    };

export type AuthSpec =
  | { readonly type: 'bearer'; readonly token: string }
  | { readonly type: 'basic' | 'digest'; readonly username: string; readonly password: string }
  | {
      readonly type: 'apikey';
      readonly key: string;
      readonly value: string;
      readonly placement: 'header' | 'query';
    };

export interface NamespaceSpec {
  readonly namespace: string;
  /** The spec's base URI; may be empty or hold `{host}` variables, resolved at run time. */
  readonly baseUri: string;
  /** Adapter-level parameters, applied to every operation. */
  readonly params: readonly ParamSpec[];
  readonly auth?: AuthSpec | undefined;
  /** Deployment settings from naftiko-codegen's config file; client and server options override them. */
  readonly defaults?: NamespaceDefaults | undefined;
}

/** Deployment defaults of one namespace (what a spec cannot say: which API version, how patient). */
export interface NamespaceDefaults {
  /** Base-URI host variables, used when neither options nor the environment give a value. */
  readonly variables?: Readonly<Record<string, string>> | undefined;
  /** Constant headers and query parameters; a query parameter replaces a same-named one of the spec. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly query?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
  readonly retry?: Partial<RetryPolicy> | false | undefined;
  /** Upstream budget: requests in flight and per second (docs/caching.md). */
  readonly budget?: BudgetSettings | undefined;
}

export interface OperationSpec {
  readonly name: string;
  readonly method: HttpMethod;
  /** Consumed resource path with `{x}` / `{{x}}` placeholders. */
  readonly path: string;
  readonly params: readonly ParamSpec[];
  readonly body?: BodySpec | undefined;
  /** How `formData` parameters travel (multipart when any part is a file). */
  readonly formEncoding?: 'multipart' | 'urlencoded' | undefined;
  /** `outputRawFormat` of the operation; `json` when absent. */
  readonly outputFormat?: string | undefined;
  /** `outputSchema`: CSS selector (html) or heading prefix (markdown). */
  readonly outputSchema?: string | undefined;
  /** `outputMediaType` (Ikanos beta5): the content type a binary answer is relayed with. */
  readonly mediaType?: string | undefined;
  /** `maxBinarySize` (Ikanos beta5) in bytes: a larger upstream answer is a 502. */
  readonly maxBytes?: number | undefined;
  /** Answers may be cached (spec `semantics.cacheable` or the config file; docs/caching.md). */
  readonly cache?: CachePolicy | undefined;
}
