/**
 * The intermediate model: the one contract between the model stage and the emitters.
 * Every reference is resolved, every implied input is explicit and every TypeScript name is
 * planned here; emitters read only this and never the YAML. Spec order is kept everywhere, so
 * output order follows the author's order and generation is deterministic.
 */
import type { AuthSpec, BodySpec, HttpMethod, NamespaceDefaults, ParamLocation, ParamType } from '../runtime/descriptor.js';
import type { ServerAuthSpec } from '../runtime/auth.js';
import type { CachePolicy } from '../runtime/cache.js';

export interface CapabilityModel {
  /** Output folder name: the spec file's base name. */
  readonly name: string;
  /** Spec path as shown in generated headers (relative, forward slashes). */
  readonly source: string;
  readonly label?: string;
  readonly description?: string;
  readonly binds: readonly BindModel[];
  readonly consumes: readonly ConsumesModel[];
  readonly rest: readonly RestAdapterModel[];
  readonly mcp: readonly McpAdapterModel[];
}

export interface BindModel {
  readonly namespace: string;
  /** File location relative to the generated folder (`../../capabilities/x.yaml`), if any. */
  readonly location?: string;
  readonly keys: Readonly<Record<string, string>>;
}

/** One `consumes` entry (imports already inlined): becomes one client class. */
export interface ConsumesModel {
  readonly namespace: string;
  readonly description?: string;
  readonly baseUri: string;
  /** `{name}` variables in the base URI (templated hosts). */
  readonly hostVariables: readonly string[];
  /** Adapter-level parameters (constants, usually). */
  readonly params: readonly ParamModel[];
  readonly auth?: AuthSpec;
  /** Deployment defaults from the config file (generator/config), carried into the client's descriptor. */
  readonly defaults?: NamespaceDefaults;
  readonly operations: readonly OperationModel[];
  /** Planned names: client class, descriptor constant, property on the `clients` object. */
  readonly className: string;
  readonly specConst: string;
  readonly clientsKey: string;
}

export interface ParamModel {
  /** Wire name, verbatim. */
  readonly name: string;
  readonly in: ParamLocation;
  readonly type: ParamType;
  readonly required: boolean;
  readonly description?: string;
  /** Constant or template: when set, the caller does not supply this parameter. */
  readonly value?: string;
}

/** A consumed operation: one client method. */
export interface OperationModel {
  readonly name: string;
  readonly label?: string;
  readonly description?: string;
  readonly method: HttpMethod;
  readonly path: string;
  /** Every parameter the request may carry (declared plus implied path variables). */
  readonly params: readonly ParamModel[];
  /** Caller-facing fields of the input type, in spec order. */
  readonly inputs: readonly InputField[];
  readonly body?: BodySpec;
  readonly formEncoding?: 'multipart' | 'urlencoded';
  readonly outputFormat: string;
  /** `outputMediaType` and `maxBinarySize` (in bytes) of a binary operation (Ikanos beta5). */
  readonly mediaType?: string;
  readonly maxBytes?: number;
  /** `outputSchema`: a CSS selector (html) or heading prefix (markdown) narrowing the conversion. */
  readonly outputSchema?: string;
  /** What a successful answer holds, from the consumed outputParameters (`any` when undeclared). */
  readonly resultKind: 'object' | 'array' | 'any' | 'none';
  /** Answers may be cached: from an aggregate function's `semantics.cacheable` or the config file. */
  readonly cache?: CachePolicy;
  readonly methodName: string;
  readonly inputType: string;
  readonly resultType: string;
  readonly specConst: string;
}

/** A field of a generated input type or an exposed adapter input. */
export interface InputField {
  readonly name: string;
  readonly type: ParamType;
  readonly required: boolean;
  readonly description?: string;
  /** Where the value travels upstream (`template` for variables only used inside templates). */
  readonly in: ParamLocation | 'template';
  /** `pattern` of an exposed REST input: a regular expression string values must match. */
  readonly pattern?: string;
}

/** Where a consumed input's value comes from, for one exposed operation or tool. */
export type ValueSource =
  | { readonly kind: 'input'; readonly input: string }
  | { readonly kind: 'template'; readonly template: string }
  | { readonly kind: 'literal'; readonly value: unknown };

export interface Binding {
  /** Field of the consumed operation's input type. */
  readonly target: string;
  readonly source: ValueSource;
}

/** How an exposed operation or tool shapes its answer. */
export type OutputModel =
  /** Upstream status and body as they came (the catalogue's `{type: object, mapping: $.}`). */
  | { readonly kind: 'passthrough' }
  /** A JSON value computed from the upstream JSON (or from inputs, for mocks). */
  | {
      readonly kind: 'mapped';
      readonly shape: OutputShape;
      /** Exported type of the shaped answer (outputs.ts). */
      readonly typeName: string;
      /** Exported function computing it (outputs.ts). */
      readonly shapeName: string;
      readonly mock: boolean;
      /** What the answer is for, in the output's doc comment (`GET /ships/{imo}`, `tool get-ship`). */
      readonly origin: string;
    };

export type OutputShape =
  | { readonly kind: 'value'; readonly type: string; readonly mapping?: string; readonly value?: string }
  | { readonly kind: 'object'; readonly mapping?: string; readonly properties: readonly { readonly key: string; readonly shape: OutputShape }[] }
  | { readonly kind: 'array'; readonly mapping?: string; readonly items?: OutputShape };

export interface RestAdapterModel {
  readonly namespace: string;
  readonly port: number;
  readonly address?: string;
  readonly description?: string;
  readonly auth?: ServerAuthSpec;
  readonly operations: readonly RestOperationModel[];
  /** `forward` (proxy) resources. */
  readonly forwards: readonly ForwardModel[];
  readonly pluginName: string;
}

export interface ForwardModel {
  /** Path as the spec writes it. */
  readonly path: string;
  /** Fastify route path (`/notion/*` for a trailing `{{path}}`). */
  readonly routePath: string;
  /** Literal prefix of the raw request path that is not forwarded ('' when nothing below it is). */
  readonly prefix: string;
  readonly consumes: ConsumesModel;
  readonly trustedHeaders: readonly string[];
  /** Methods the resource's own operations do not handle. */
  readonly methods: readonly HttpMethod[];
  readonly description?: string;
}

export interface ExposedInput extends InputField {
  readonly in: 'path' | 'query' | 'header' | 'body' | 'formData' | 'cookie';
  /** Route parameter name used in the Fastify path (`:x`), for path inputs. */
  readonly routeParam?: string;
  /** JSONPath into the request body (official `value: $.x` inputs). */
  readonly bodyPath?: string;
  /** Constant value (official `value` without `$`). */
  readonly constant?: string;
}

export interface RestOperationModel {
  readonly name: string;
  /** The adapter's `maxBinarySize` (bytes) for a relayed binary answer (Ikanos beta5). */
  readonly maxBytes?: number;
  readonly description?: string;
  readonly method: HttpMethod;
  /** Path as the spec writes it. */
  readonly path: string;
  /** Fastify route path. */
  readonly routePath: string;
  readonly inputs: readonly ExposedInput[];
  readonly call?: CallModel;
  readonly orchestration?: OrchestrationModel;
  readonly output: OutputModel;
  /** Declared answers per status (Ikanos beta5 `responses` / `responseBinary`): the OpenAPI export shows them. */
  readonly responses?: Readonly<Record<string, DeclaredResponse>>;
}

/** One declared answer: its description and content per media type (binary, or a JSON Schema). */
export interface DeclaredResponse {
  readonly description?: string;
  readonly content: Readonly<Record<string, { readonly binary?: boolean; readonly schema?: Readonly<Record<string, unknown>> }>>;
}

export interface CallModel {
  readonly consumes: ConsumesModel;
  readonly operation: OperationModel;
  readonly bindings: readonly Binding[];
}

/** `steps` + `mappings`: calls and lookups in order, the answer built from mappings. */
export interface OrchestrationModel {
  readonly steps: readonly StepModel[];
  readonly mappings: readonly { readonly targetName: string; readonly value: string }[];
}

export type StepModel =
  | { readonly kind: 'call'; readonly name: string; readonly call: CallModel }
  | { readonly kind: 'lookup'; readonly name: string; readonly index: string; readonly match: string; readonly lookupValue: string; readonly fields: readonly string[] };

export interface McpAdapterModel {
  readonly namespace: string;
  readonly port?: number;
  readonly address?: string;
  readonly transport: 'http' | 'stdio';
  readonly description?: string;
  readonly auth?: ServerAuthSpec;
  readonly tools: readonly ToolModel[];
  readonly resources: readonly McpResourceModel[];
  readonly prompts: readonly McpPromptModel[];
  readonly registerName: string;
  /** Freshness hints (Ikanos beta5 `ttlMs`, `cacheScope`) added to every result of the adapter. */
  readonly cacheHints?: { readonly ttlMs?: number; readonly cacheScope?: 'public' | 'private' };
}

/**
 * An MCP resource: dynamic (a static `uri`, or a URI template whose `{variables}` feed the call)
 * or a directory of files (`location`) served as `<uri>/<relative path>`.
 */
export interface McpResourceModel {
  readonly name: string;
  readonly title?: string;
  readonly uri: string;
  readonly description?: string;
  /** Declared or `application/json` for calls; undefined for directories (probed per file). */
  readonly mimeType?: string;
  readonly variables: readonly string[];
  readonly call?: CallModel;
  /** `binary: true` (Ikanos beta5), or a binary consumed operation: read as a base64 `blob`. */
  readonly binary?: boolean;
  /** Directory, relative to the generated folder. */
  readonly location?: string;
}

export interface McpPromptModel {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly arguments: readonly { readonly name: string; readonly description?: string; readonly required: boolean }[];
  readonly messages: readonly { readonly role: 'user' | 'assistant'; readonly content: string }[];
  /** A prompt file, relative to the generated folder (one user message). */
  readonly location?: string;
}

export interface ToolAnnotations {
  readonly title?: string;
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

export interface ToolModel {
  /** Name announced to MCP clients (shortened when the spec's is too long). */
  readonly name: string;
  /** The adapter's `maxBinarySize` (bytes) for a relayed binary answer (Ikanos beta5). */
  readonly maxBytes?: number;
  /** The spec's name, when it had to be shortened or sanitised. */
  readonly specName: string;
  readonly title?: string;
  readonly description?: string;
  readonly annotations?: ToolAnnotations;
  readonly inputs: readonly InputField[];
  readonly call?: CallModel;
  readonly orchestration?: OrchestrationModel;
  readonly output: OutputModel;
}
