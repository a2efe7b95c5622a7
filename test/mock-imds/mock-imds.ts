/**
 * A faithful, strict mock of the Azure Instance Metadata Service (IMDS)
 * managed-identity token endpoint:
 *
 *   GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...
 *   Metadata: true
 *
 * It listens on real loopback HTTP so that generated clients can be tested
 * end-to-end (headers, query encoding, retries, timeouts, caching).
 *
 * Behaviour follows the IMDS notes (imds.md §1–§3, §6). Wire strings
 * (error codes, error descriptions, header names) are reproduced exactly
 * where they are known; where the real service is undocumented the choice
 * made here is marked "[assume]".
 *
 * Only node builtins are used.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/** Path of the token endpoint (a trailing-slash variant is accepted too). */
export const TOKEN_PATH = '/metadata/identity/oauth2/token';

/**
 * IMDS versions that support `/metadata/identity` (2018-02-01 and later),
 * newest first, as listed in the IMDS documentation (doc D2).
 */
export const SUPPORTED_API_VERSIONS: readonly string[] = Object.freeze([
  '2025-04-07', '2024-07-17', '2024-03-15', '2023-11-15', '2023-07-01',
  '2021-12-13', '2021-11-15', '2021-11-01', '2021-10-01', '2021-08-01',
  '2021-05-01', '2021-03-01', '2021-02-01', '2021-01-01', '2020-12-01',
  '2020-10-01', '2020-09-01', '2020-07-15', '2020-06-01', '2019-11-01',
  '2019-08-15', '2019-08-01', '2019-06-04', '2019-06-01', '2019-04-30',
  '2019-03-11', '2019-02-01', '2018-10-01', '2018-04-02', '2018-02-01',
]);

/** Default `Server` header (shape observed on real responses, wild I5). */
export const DEFAULT_SERVER_HEADER = 'IMDS/150.870.65.1234';

/** Default tenant used in tokens and in the AADSTS500011 text. */
export const DEFAULT_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/** Default system-assigned identity (present unless `systemAssigned: null`). */
export const DEFAULT_SYSTEM_IDENTITY: Readonly<SystemAssignedIdentity> = Object.freeze({
  client_id: '11111111-1111-4111-8111-111111111111',
  object_id: '22222222-2222-4222-8222-222222222222',
  msi_res_id:
    '/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.Compute/virtualMachines/mock-vm',
});

/** Default user-assigned identities (two of them). */
export const DEFAULT_USER_IDENTITIES: readonly Readonly<UserAssignedIdentity>[] = Object.freeze([
  Object.freeze({
    client_id: 'aaaaaaaa-0000-4000-8000-000000000001',
    object_id: 'bbbbbbbb-0000-4000-8000-000000000001',
    msi_res_id:
      '/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mock-uami-1',
  }),
  Object.freeze({
    client_id: 'aaaaaaaa-0000-4000-8000-000000000002',
    object_id: 'bbbbbbbb-0000-4000-8000-000000000002',
    msi_res_id:
      '/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/mock-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/mock-uami-2',
  }),
]);

/**
 * Resources (App ID URIs) the fake tenant knows. Matching ignores one
 * trailing slash, so `https://vault.azure.net/` is accepted as well.
 */
export const DEFAULT_ACCEPTED_RESOURCES: readonly string[] = Object.freeze([
  'https://management.azure.com/',
  'https://management.azure.com',
  'https://management.core.windows.net/',
  'https://vault.azure.net',
  'https://storage.azure.com/',
  'https://graph.microsoft.com',
  'https://database.windows.net/',
]);

/** Error body shape of the identity endpoint. */
export interface ImdsErrorBody {
  error: string;
  error_description: string;
}

/** Exact error texts used by the mock (see imds.md §3). */
export const IMDS_ERRORS = Object.freeze({
  /** E01/E02. Length 88, matching the observed `content-length: 88` (I6). */
  metadataHeader: { error: 'invalid_request', error_description: 'Required metadata header not specified' },
  /** E03 [assume]: status and body are undocumented. */
  forwardedFor: {
    error: 'invalid_request',
    error_description: 'Requests with X-Forwarded-For header are not allowed',
  },
  /** E04/E05, OAuth-style variant (emulator E1) when the version is missing. */
  apiVersionMissing: { error: 'invalid_request', error_description: "Required query variable 'api-version' is missing" },
  /** E05, OAuth-style variant when the version is not supported (I15). */
  apiVersionInvalid: { error: 'invalid_request', error_description: "Invalid 'api-version' requested" },
  /** E06 (emulator E1). */
  resourceMissing: { error: 'invalid_request', error_description: "Required query variable 'resource' is missing" },
  /** E08/E09 (I1). */
  identityNotFound: { error: 'invalid_request', error_description: 'Identity not found' },
  /** E10, exact text (I2, I3). Length 168, matching I2's Content-Length. */
  multipleIdentities: {
    error: 'invalid_request',
    error_description:
      'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request',
  },
  /** E11 [assume]. */
  multipleSelectors: {
    error: 'invalid_request',
    error_description: 'Only one of client_id, object_id or msi_res_id can be specified in the token request',
  },
  /** S08 [assume]: `bypass_cache` only allows `true` (spec enum). */
  bypassCacheInvalid: {
    error: 'invalid_request',
    error_description: "Invalid value for query variable 'bypass_cache'; the only allowed value is 'true'",
  },
  /** Query string that cannot be percent-decoded [assume]. */
  malformedQuery: { error: 'invalid_request', error_description: 'Malformed query string' },
  /** E13 (doc D2, spec S2). */
  methodNotAllowed: { error: 'method_not_allowed', error_description: 'Not allowed' },
  /** Unknown path / IMDS updating (spec S2 example). */
  notFound: { error: 'not_found', error_description: 'Not found' },
  /** 410 [assume]: undocumented. */
  gone: { error: 'gone', error_description: 'IMDS is being upgraded, please retry in 70 seconds' },
  /** 429 (spec S2). */
  tooManyRequests: { error: 'too_many_requests', error_description: 'Too many requests' },
  /** 500 (spec S2). */
  serverError: { error: 'server_error', error_description: 'Server error' },
  /** 502/503/504 (spec enum). */
  serviceUnavailable: { error: 'service_unavailable', error_description: 'Service unavailable' },
} satisfies Record<string, ImdsErrorBody>);

/** Generic IMDS body for a missing/unsupported `api-version` (doc D2). */
export function imdsApiVersionErrorBody(versions: readonly string[] = SUPPORTED_API_VERSIONS): {
  error: string;
  'newest-versions': string[];
} {
  return {
    error:
      'Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds',
    'newest-versions': [...versions].sort().reverse().slice(0, 3),
  };
}

/** `invalid_resource` AADSTS500011 body (wild I4). */
export function invalidResourceBody(resource: string, tenant: string, now: Date): ImdsErrorBody {
  return {
    error: 'invalid_resource',
    error_description:
      `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${tenant}. ` +
      'This can happen if the application has not been installed by the administrator of the tenant or consented ' +
      'to by any user in the tenant. You might have sent your authentication request to the wrong tenant.\r\n' +
      `Trace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`,
  };
}

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/** The VM's system-assigned identity. */
export interface SystemAssignedIdentity {
  client_id: string;
  object_id: string;
  /** ARM id of the VM; put in the token's `xms_mirid` claim. */
  msi_res_id?: string;
}

/** A user-assigned identity attached to the VM. */
export interface UserAssignedIdentity {
  client_id: string;
  object_id: string;
  /** ARM resource id; the `msi_res_id` selector matches it case-insensitively. */
  msi_res_id: string;
}

/** Rate limiter settings (real IMDS: 20 rps and 5 in flight per VM). */
export interface RateLimitOptions {
  /** Admitted requests per sliding 1 s window of the mock clock (default 20). */
  rps?: number;
  /** Requests being handled at once, including delayed/hung ones (default 5). */
  maxInFlight?: number;
  /** If set, 429s carry `Retry-After: <value>`; otherwise no Retry-After. */
  retryAfter?: number | string;
}

/** Fully-resolved, mutable configuration (`MockImds.options`). */
export interface MockImdsConfig {
  /** Bind address (default 127.0.0.1). Read at start only. */
  host: string;
  /** Port (default 0 = pick a free one). Read at start only. */
  port: number;
  /** System-assigned identity, or `null` for none (default: present). */
  systemAssigned: SystemAssignedIdentity | null;
  /** User-assigned identities (default: two). */
  userAssigned: UserAssignedIdentity[];
  /**
   * No system identity, exactly one user identity, no selector:
   * `'use'` (default, what D1 implies) issues a token for it;
   * `'reject'` answers 400 `Identity not found` (what I12 reported).
   */
  singleUserAssignedWithoutSelector: 'use' | 'reject';
  /** Resources the fake tenant knows, or `'*'` for any. */
  acceptedResources: string[] | '*';
  /** Accept the Metadata header case-insensitively (`True`). Default false. */
  lenientMetadataHeader: boolean;
  /** Reject unknown query parameters with 400 instead of ignoring them. Default false. */
  rejectUnknownParams: boolean;
  /**
   * Body for a missing/unsupported api-version: `'imds'` (default, generic
   * IMDS body with `newest-versions`) or `'oauth'` (`invalid_request`).
   */
  apiVersionErrorStyle: 'imds' | 'oauth';
  /** Accepted api-versions (default: SUPPORTED_API_VERSIONS). */
  supportedApiVersions: string[];
  /** Lifetime of newly minted tokens in seconds (default 86400). */
  tokenLifetimeSec: number;
  /** Clock in epoch ms (default Date.now). Drives tokens, cache, `forMs` faults, rate limiter. */
  now: () => number;
  /** Tenant id put in tokens and AADSTS texts. */
  tenantId: string;
  /** Value of the `Server` header. */
  serverHeader: string;
  /** Rate limiter, or `null` when off (default off). */
  rateLimit: RateLimitOptions | null;
  /** Called once per request when it is finished (answered, reset, or aborted). */
  onRequestComplete: ((request: RecordedRequest) => void) | null;
}

/** Options for {@link startMockImds}; everything is optional. */
export interface MockImdsOptions extends Partial<Omit<MockImdsConfig, 'rateLimit'>> {
  /** `true` = defaults (20 rps / 5 in flight, no Retry-After); `false`/`null` = off. */
  rateLimit?: RateLimitOptions | boolean | null;
  /** Initial fault script (same as calling `setFaults`). */
  faults?: Fault[] | FaultPlan;
}

/** Modifiers shared by every fault entry of a sequence. */
export interface FaultRepeat {
  /** Apply this entry to this many consecutive requests (default 1). */
  times?: number;
  /**
   * Apply this entry to every request until the mock clock has advanced
   * `forMs` since the entry first applied (e.g. "410 for 70 s"). Overrides `times`.
   */
  forMs?: number;
}

/** Answer with a fixed status/body (404, 410, 429, 5xx, 403 text, 200 garbage...). */
export interface StatusFault extends FaultRepeat {
  status: number;
  /**
   * Body: an object is sent as JSON; a string is sent verbatim.
   * Default: the IMDS-style error body for the status (e.g. 404 `not_found`,
   * 410 `gone`, 429 `too_many_requests`, 500 `server_error`, 502/503/504
   * `service_unavailable`); empty for 2xx.
   */
  body?: string | object;
  /** Default: JSON for object/default bodies, `text/plain; charset=utf-8` for strings. */
  contentType?: string;
  /** Adds `Retry-After: <value>`. */
  retryAfter?: number | string;
  /** Extra headers (override defaults; `null` removes a default such as `Server`). */
  headers?: Record<string, string | null>;
  /** Wait this long before answering. */
  delayMs?: number;
}

/** Wait, then answer normally. */
export interface DelayFault extends FaultRepeat {
  delayMs: number;
}

/** Accept the request and never answer (until the client gives up or the mock closes). */
export interface HangFault extends FaultRepeat {
  hang: true;
}

/** Reset the TCP connection (RST) without answering. */
export interface ResetFault extends FaultRepeat {
  reset: true;
  delayMs?: number;
}

/** Send the status line, headers and half of the normal body, then reset. */
export interface ResetMidBodyFault extends FaultRepeat {
  resetMidBody: true;
  delayMs?: number;
}

/**
 * Malformed 200 answers (E23), built from what the normal answer would be:
 * - `missing_access_token`: no `access_token` field
 * - `empty_access_token`: `access_token: ""`
 * - `expires_on_number`: `expires_on` as a JSON number
 * - `expires_on_iso`: `expires_on` as an ISO 8601 date string
 * - `numeric_fields`: all numeric fields as JSON numbers (valid for tolerant clients)
 * - `invalid_json`: truncated JSON with `Content-Type: application/json`
 * - `empty_body`: empty 200 with `Content-Type: application/json`
 */
export type MalformedKind =
  | 'missing_access_token'
  | 'empty_access_token'
  | 'expires_on_number'
  | 'expires_on_iso'
  | 'numeric_fields'
  | 'invalid_json'
  | 'empty_body';

/** Malformed success body, see {@link MalformedKind}. */
export interface MalformedFault extends FaultRepeat {
  malformed: MalformedKind;
  delayMs?: number;
}

/** One scripted action applied to a request instead of (or before) normal handling. */
export type Fault = StatusFault | DelayFault | HangFault | ResetFault | ResetMidBodyFault | MalformedFault;

/** A fault script: `sequence` is consumed first, then `always` applies to every request. */
export interface FaultPlan {
  sequence?: Fault[];
  always?: Fault | null;
}

/** What the mock records for every request it receives. */
export interface RecordedRequest {
  /** 1-based arrival number (not reset by clearRequests). */
  seq: number;
  method: string;
  /** Raw path as received, without the query string (not decoded). */
  path: string;
  /** Raw query string without the leading `?` ('' if none). */
  rawQuery: string;
  /** Decoded (`+` = space, percent-decoding) name/value pairs in order; undecodable parts are kept raw. */
  query: Array<[string, string]>;
  /** Header names lower-cased; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** Headers exactly as received (original case, order, repeats). */
  rawHeaders: Array<[string, string]>;
  /** Mock clock (`options.now()`) at arrival, epoch ms. */
  time: number;
  /** Request body (first 64 KiB), normally ''. Filled as it arrives. */
  body: string;
  /** `x-ms-request-id` sent (or that would have been sent) with the answer. */
  requestId: string;
  /** Status sent; undefined for hang/reset or if the client went away first. */
  status?: number;
  /** Fault applied, e.g. 'status:503', 'delay:150', 'hang', 'reset', 'resetMidBody', 'malformed:invalid_json', 'rate-limit'. */
  fault?: string;
}

/** A running mock. */
export interface MockImds {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `${url}/metadata`: the base a client appends `/identity/oauth2/token` to. */
  readonly baseUri: string;
  /** `${url}/metadata/identity/oauth2/token` */
  readonly tokenUrl: string;
  readonly port: number;
  /** Every request received, in order (including faulted and rejected ones). */
  readonly requests: RecordedRequest[];
  /** Live configuration; mutate it between requests. */
  options: MockImdsConfig;
  /** Empty `requests` (in place). */
  clearRequests(): void;
  /** Replace the fault script. An array is a sequence; `{always}` applies forever after the sequence. */
  setFaults(faults: Fault[] | FaultPlan): void;
  /** Append faults to the current sequence. */
  addFaults(...faults: Fault[]): void;
  /** Remove every fault (sequence and always). */
  clearFaults(): void;
  /** Number of sequence entries not yet used up. */
  pendingFaults(): number;
  /** Forget all cached tokens. */
  clearTokenCache(): void;
  /** Stop listening and destroy every open socket (hung ones included). Idempotent. */
  close(): Promise<void>;
}

/** Success body: every value is a JSON string (doc D2 "Data format"). */
export interface TokenResponseBody {
  access_token: string;
  client_id: string;
  expires_in: string;
  expires_on: string;
  ext_expires_in: string;
  not_before: string;
  resource: string;
  token_type: 'Bearer';
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const MAX_RECORDED_BODY = 64 * 1024;
/** `not_before`/`nbf` precede issuance by 5 minutes, as in real tokens. */
const NOT_BEFORE_SKEW_SEC = 300;
const SELECTORS = ['client_id', 'object_id', 'msi_res_id'] as const;
const KNOWN_PARAMS = new Set([
  'api-version',
  'resource',
  'client_id',
  'object_id',
  'msi_res_id',
  'authority',
  'bypass_cache',
]);

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

/** Decode the payload of a token minted by the mock (or any JWT) without verifying it. */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

interface ParsedQuery {
  pairs: Array<[string, string]>;
  /** true if some part could not be percent-decoded */
  malformed: boolean;
}

/** Parse a raw query like URLSearchParams does, but keep order and report bad escapes. */
function parseQuery(raw: string): ParsedQuery {
  const pairs: Array<[string, string]> = [];
  let malformed = false;
  const decode = (s: string): string => {
    const plus = s.replace(/\+/g, ' ');
    try {
      return decodeURIComponent(plus);
    } catch {
      malformed = true;
      return s;
    }
  };
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([decode(name), decode(value)]);
  }
  return { pairs, malformed };
}

function normalizeResource(r: string): string {
  return r.endsWith('/') ? r.slice(0, -1) : r;
}

function defaultFaultBody(status: number): ImdsErrorBody | null {
  if (status >= 200 && status < 300) return null;
  switch (status) {
    case 400:
      return { error: 'bad_request', error_description: 'Bad request' };
    case 401:
      return { error: 'unauthorized_client', error_description: 'Unauthorized' };
    case 403:
      return { error: 'forbidden', error_description: 'Forbidden' };
    case 404:
      return IMDS_ERRORS.notFound;
    case 405:
      return IMDS_ERRORS.methodNotAllowed;
    case 410:
      return IMDS_ERRORS.gone;
    case 429:
      return IMDS_ERRORS.tooManyRequests;
    case 500:
      return IMDS_ERRORS.serverError;
    default:
      return status >= 500 ? IMDS_ERRORS.serviceUnavailable : { error: 'error', error_description: `HTTP ${status}` };
  }
}

function describeFault(f: Fault): string {
  if ('hang' in f) return 'hang';
  if ('resetMidBody' in f) return 'resetMidBody';
  if ('reset' in f) return 'reset';
  if ('malformed' in f) return `malformed:${f.malformed}`;
  if ('status' in f) return `status:${f.status}`;
  return `delay:${f.delayMs}`;
}

/** A reply before serialization. */
interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string | null>;
  /** Present when the reply is a token success; used by malformed faults. */
  token?: TokenResponseBody;
}

function jsonReply(status: number, body: object, headers?: Record<string, string | null>): Reply {
  return { status, body: JSON.stringify(body), contentType: JSON_CONTENT_TYPE, ...(headers ? { headers } : {}) };
}

interface Identity {
  client_id: string;
  object_id: string;
  msi_res_id?: string;
}

interface CachedToken {
  accessToken: string;
  clientId: string;
  issuedAtSec: number;
  expiresOnSec: number;
}

interface QueuedFault {
  fault: Fault;
  remaining: number;
  startedAt?: number;
}

function resolveConfig(o: MockImdsOptions): MockImdsConfig {
  let rateLimit: RateLimitOptions | null = null;
  if (o.rateLimit === true) rateLimit = {};
  else if (o.rateLimit && typeof o.rateLimit === 'object') rateLimit = { ...o.rateLimit };
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    systemAssigned:
      o.systemAssigned === undefined ? { ...DEFAULT_SYSTEM_IDENTITY } : o.systemAssigned && { ...o.systemAssigned },
    userAssigned: (o.userAssigned ?? DEFAULT_USER_IDENTITIES).map((u) => ({ ...u })),
    singleUserAssignedWithoutSelector: o.singleUserAssignedWithoutSelector ?? 'use',
    acceptedResources: o.acceptedResources === '*' ? '*' : [...(o.acceptedResources ?? DEFAULT_ACCEPTED_RESOURCES)],
    lenientMetadataHeader: o.lenientMetadataHeader ?? false,
    rejectUnknownParams: o.rejectUnknownParams ?? false,
    apiVersionErrorStyle: o.apiVersionErrorStyle ?? 'imds',
    supportedApiVersions: [...(o.supportedApiVersions ?? SUPPORTED_API_VERSIONS)],
    tokenLifetimeSec: o.tokenLifetimeSec ?? 86_400,
    now: o.now ?? (() => Date.now()),
    tenantId: o.tenantId ?? DEFAULT_TENANT_ID,
    serverHeader: o.serverHeader ?? DEFAULT_SERVER_HEADER,
    rateLimit,
    onRequestComplete: o.onRequestComplete ?? null,
  };
}

// ---------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------

class MockImdsServer implements MockImds {
  readonly requests: RecordedRequest[] = [];
  options: MockImdsConfig;

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly tokenCache = new Map<string, CachedToken>();
  private faultQueue: QueuedFault[] = [];
  private alwaysFault: Fault | null = null;
  /** Mock-clock arrival times of admitted requests (rate limiter window). */
  private admittedTimes: number[] = [];
  private inFlight = 0;
  private seq = 0;
  private closed = false;
  private boundPort = 0;

  constructor(config: MockImdsConfig) {
    this.options = config;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.internalError(res, err));
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {
        /* client went away; nothing to do */
      });
    });
    // Unparseable HTTP: answer 400 like most servers, never crash.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ECONNRESET' || !socket.writable) {
        socket.destroy();
        return;
      }
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    this.server.on('error', () => {
      /* listen errors are surfaced by listen() */
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const h = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${h}:${this.boundPort}`;
  }

  get baseUri(): string {
    return `${this.url}/metadata`;
  }

  get tokenUrl(): string {
    return `${this.url}${TOKEN_PATH}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        this.boundPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  setFaults(faults: Fault[] | FaultPlan): void {
    const plan: FaultPlan = Array.isArray(faults) ? { sequence: faults } : faults;
    this.faultQueue = [];
    this.alwaysFault = plan.always ?? null;
    this.addFaults(...(plan.sequence ?? []));
  }

  addFaults(...faults: Fault[]): void {
    for (const fault of faults) {
      const times = fault.times ?? 1;
      if (fault.forMs === undefined && !(times > 0)) continue;
      this.faultQueue.push({ fault, remaining: times });
    }
  }

  clearFaults(): void {
    this.faultQueue = [];
    this.alwaysFault = null;
  }

  pendingFaults(): number {
    return this.faultQueue.length;
  }

  clearTokenCache(): void {
    this.tokenCache.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await done;
  }

  // -- request pipeline ----------------------------------------------------

  private record(req: IncomingMessage): RecordedRequest {
    let target = req.url ?? '';
    // Absolute-form targets (proxy style): keep only path + query.
    if (!target.startsWith('/')) {
      try {
        const u = new URL(target);
        target = u.pathname + u.search;
      } catch {
        /* keep raw */
      }
    }
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);
    const headers: Record<string, string> = {};
    const rawHeaders: Array<[string, string]> = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i] as string;
      const value = req.rawHeaders[i + 1] as string;
      rawHeaders.push([name, value]);
      const lower = name.toLowerCase();
      headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
    }
    const rec: RecordedRequest = {
      seq: ++this.seq,
      method: req.method ?? '',
      path,
      rawQuery,
      query: parseQuery(rawQuery).pairs,
      headers,
      rawHeaders,
      time: this.safeNow(),
      body: '',
      requestId: randomUUID(),
    };
    this.requests.push(rec);
    return rec;
  }

  private safeNow(): number {
    try {
      const t = this.options.now();
      return Number.isFinite(t) ? t : Date.now();
    } catch {
      return Date.now();
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rec = this.record(req);
    res.on('error', () => {
      /* socket gone */
    });
    req.on('error', () => {
      /* socket gone */
    });
    req.on('data', (chunk: Buffer) => {
      if (rec.body.length < MAX_RECORDED_BODY) rec.body += chunk.toString('utf8').slice(0, MAX_RECORDED_BODY - rec.body.length);
    });
    let completed = false;
    res.on('close', () => {
      if (completed) return;
      completed = true;
      try {
        this.options.onRequestComplete?.(rec);
      } catch {
        /* a logging hook must never break the mock */
      }
    });

    // 1. Front door: rate limiter (counts only admitted requests).
    const limit = this.options.rateLimit;
    if (limit) {
      const now = this.safeNow();
      this.admittedTimes = this.admittedTimes.filter((t) => now - t < 1000 && t <= now);
      if (this.admittedTimes.length >= (limit.rps ?? 20) || this.inFlight >= (limit.maxInFlight ?? 5)) {
        rec.fault = 'rate-limit';
        const headers: Record<string, string> = {};
        if (limit.retryAfter !== undefined) headers['Retry-After'] = String(limit.retryAfter);
        this.send(res, rec, jsonReply(429, IMDS_ERRORS.tooManyRequests, headers));
        return;
      }
      this.admittedTimes.push(now);
    }
    this.inFlight++;
    res.on('close', () => this.inFlight--);

    // 2. Scripted fault, consumed in order.
    const fault = this.nextFault();
    if (fault) rec.fault = describeFault(fault);
    const delayMs = fault && 'delayMs' in fault ? (fault.delayMs ?? 0) : 0;
    if (delayMs > 0) {
      await this.sleep(delayMs);
      if (this.closed || res.destroyed) return;
    }

    if (fault && 'hang' in fault) return; // never answer; close() destroys the socket
    if (fault && 'reset' in fault) {
      this.resetSocket(req.socket);
      return;
    }
    if (fault && 'status' in fault) {
      this.send(res, rec, this.statusFaultReply(fault));
      return;
    }

    // 3. Normal handling.
    const reply = this.evaluate(req, rec);
    if (fault && 'malformed' in fault) {
      this.send(res, rec, this.malformedReply(fault.malformed, reply.token ?? this.fallbackToken(rec)));
      return;
    }
    if (fault && 'resetMidBody' in fault) {
      this.sendThenReset(req, res, rec, reply);
      return;
    }
    this.send(res, rec, reply);
  }

  private nextFault(): Fault | null {
    while (this.faultQueue.length > 0) {
      const head = this.faultQueue[0] as QueuedFault;
      if (head.fault.forMs !== undefined) {
        const now = this.safeNow();
        head.startedAt ??= now;
        if (now - head.startedAt < head.fault.forMs) return head.fault;
        this.faultQueue.shift();
        continue;
      }
      head.remaining--;
      if (head.remaining <= 0) this.faultQueue.shift();
      return head.fault;
    }
    return this.alwaysFault;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private resetSocket(socket: Socket): void {
    try {
      socket.resetAndDestroy();
    } catch {
      socket.destroy();
    }
  }

  /** Validate a request the way IMDS does and produce the answer. */
  private evaluate(_req: IncomingMessage, rec: RecordedRequest): Reply {
    const cfg = this.options;
    if (rec.path !== TOKEN_PATH && rec.path !== `${TOKEN_PATH}/`) return jsonReply(404, IMDS_ERRORS.notFound);
    if (rec.method !== 'GET') return jsonReply(405, IMDS_ERRORS.methodNotAllowed);

    const metadata = rec.headers['metadata'];
    const metadataOk =
      metadata !== undefined && (cfg.lenientMetadataHeader ? metadata.toLowerCase() === 'true' : metadata === 'true');
    if (!metadataOk) return jsonReply(400, IMDS_ERRORS.metadataHeader);
    if ('x-forwarded-for' in rec.headers) return jsonReply(400, IMDS_ERRORS.forwardedFor);

    const parsed = parseQuery(rec.rawQuery);
    if (parsed.malformed) return jsonReply(400, IMDS_ERRORS.malformedQuery);
    const query = new Map<string, string>();
    for (const [name, value] of parsed.pairs) {
      if (query.has(name)) {
        return jsonReply(400, {
          error: 'invalid_request',
          error_description: `Query parameter '${name}' is specified more than once`,
        });
      }
      query.set(name, value);
    }

    const apiVersion = query.get('api-version');
    if (apiVersion === undefined || !cfg.supportedApiVersions.includes(apiVersion)) {
      if (cfg.apiVersionErrorStyle === 'oauth') {
        return jsonReply(400, apiVersion === undefined ? IMDS_ERRORS.apiVersionMissing : IMDS_ERRORS.apiVersionInvalid);
      }
      return jsonReply(400, imdsApiVersionErrorBody(cfg.supportedApiVersions));
    }

    const resource = query.get('resource');
    if (resource === undefined || resource === '') return jsonReply(400, IMDS_ERRORS.resourceMissing);

    const bypass = query.get('bypass_cache');
    if (bypass !== undefined && bypass !== 'true') return jsonReply(400, IMDS_ERRORS.bypassCacheInvalid);

    if (cfg.rejectUnknownParams) {
      for (const name of query.keys()) {
        if (!KNOWN_PARAMS.has(name)) {
          return jsonReply(400, {
            error: 'invalid_request',
            error_description: `Unknown query variable '${name}'`,
          });
        }
      }
    }

    const selected = this.selectIdentity(query);
    if ('error' in selected) return selected.error;

    const accepted =
      cfg.acceptedResources === '*' ||
      cfg.acceptedResources.some((r) => normalizeResource(r) === normalizeResource(resource));
    if (!accepted) {
      return jsonReply(400, invalidResourceBody(resource, cfg.tenantId, new Date(this.safeNow())));
    }

    return this.tokenReply(selected.identity, resource, bypass === 'true');
  }

  private selectIdentity(query: Map<string, string>): { identity: Identity } | { error: Reply } {
    const cfg = this.options;
    const given = SELECTORS.filter((s) => query.has(s));
    if (given.length > 1) return { error: jsonReply(400, IMDS_ERRORS.multipleSelectors) };
    const notFound = { error: jsonReply(400, IMDS_ERRORS.identityNotFound) };

    if (given.length === 1) {
      const selector = given[0] as (typeof SELECTORS)[number];
      const value = query.get(selector) ?? '';
      const match = cfg.userAssigned.find((u) =>
        selector === 'msi_res_id' ? u.msi_res_id.toLowerCase() === value.toLowerCase() : u[selector] === value,
      );
      return match ? { identity: match } : notFound;
    }

    if (cfg.systemAssigned) return { identity: cfg.systemAssigned };
    if (cfg.userAssigned.length === 0) return notFound;
    if (cfg.userAssigned.length === 1) {
      return cfg.singleUserAssignedWithoutSelector === 'use'
        ? { identity: cfg.userAssigned[0] as UserAssignedIdentity }
        : notFound;
    }
    return { error: jsonReply(400, IMDS_ERRORS.multipleIdentities) };
  }

  /** Serve from the per-(identity, resource) cache or mint a new token. */
  private tokenReply(identity: Identity, resource: string, bypassCache: boolean): Reply {
    const nowSec = Math.floor(this.safeNow() / 1000);
    const key = `${identity.client_id}\n${identity.object_id}\n${resource}`;
    let cached = this.tokenCache.get(key);
    if (bypassCache || !cached || nowSec >= cached.expiresOnSec) {
      cached = this.mint(identity, resource, nowSec);
      this.tokenCache.set(key, cached);
    }
    const remaining = String(cached.expiresOnSec - nowSec);
    const token: TokenResponseBody = {
      access_token: cached.accessToken,
      client_id: cached.clientId,
      expires_in: remaining,
      expires_on: String(cached.expiresOnSec),
      ext_expires_in: remaining,
      not_before: String(cached.issuedAtSec - NOT_BEFORE_SKEW_SEC),
      resource,
      token_type: 'Bearer',
    };
    return { ...jsonReply(200, token), token };
  }

  private mint(identity: Identity, resource: string, nowSec: number): CachedToken {
    const cfg = this.options;
    const lifetime = Math.max(1, Math.floor(cfg.tokenLifetimeSec));
    const expiresOnSec = nowSec + lifetime;
    const iss = `https://sts.windows.net/${cfg.tenantId}/`;
    // Unsigned look-alike of a v1 managed-identity access token.
    const header = { typ: 'JWT', alg: 'RS256', kid: 'mock-imds' };
    const payload: Record<string, unknown> = {
      aud: resource,
      iss,
      iat: nowSec - NOT_BEFORE_SKEW_SEC,
      nbf: nowSec - NOT_BEFORE_SKEW_SEC,
      exp: expiresOnSec,
      appid: identity.client_id,
      appidacr: '2',
      idp: iss,
      oid: identity.object_id,
      sub: identity.object_id,
      tid: cfg.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
      ...(identity.msi_res_id ? { xms_mirid: identity.msi_res_id } : {}),
    };
    const accessToken = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${base64url(
      randomBytes(64),
    )}`;
    return { accessToken, clientId: identity.client_id, issuedAtSec: nowSec, expiresOnSec };
  }

  /** Token fields for a malformed fault when the request itself was not valid. */
  private fallbackToken(rec: RecordedRequest): TokenResponseBody {
    const resource = rec.query.find(([n]) => n === 'resource')?.[1] ?? 'https://management.azure.com/';
    const identity: Identity = this.options.systemAssigned ??
      this.options.userAssigned[0] ?? { client_id: DEFAULT_SYSTEM_IDENTITY.client_id, object_id: DEFAULT_SYSTEM_IDENTITY.object_id };
    const nowSec = Math.floor(this.safeNow() / 1000);
    const t = this.mint(identity, resource, nowSec);
    const lifetime = String(t.expiresOnSec - nowSec);
    return {
      access_token: t.accessToken,
      client_id: t.clientId,
      expires_in: lifetime,
      expires_on: String(t.expiresOnSec),
      ext_expires_in: lifetime,
      not_before: String(t.issuedAtSec - NOT_BEFORE_SKEW_SEC),
      resource,
      token_type: 'Bearer',
    };
  }

  private malformedReply(kind: MalformedKind, token: TokenResponseBody): Reply {
    const body: Record<string, unknown> = { ...token };
    switch (kind) {
      case 'missing_access_token':
        delete body['access_token'];
        break;
      case 'empty_access_token':
        body['access_token'] = '';
        break;
      case 'expires_on_number':
        body['expires_on'] = Number(token.expires_on);
        break;
      case 'expires_on_iso':
        body['expires_on'] = new Date(Number(token.expires_on) * 1000).toISOString();
        break;
      case 'numeric_fields':
        for (const f of ['expires_in', 'expires_on', 'ext_expires_in', 'not_before'] as const) body[f] = Number(token[f]);
        break;
      case 'invalid_json': {
        const json = JSON.stringify(body);
        return { status: 200, body: json.slice(0, Math.floor(json.length / 2)), contentType: JSON_CONTENT_TYPE };
      }
      case 'empty_body':
        return { status: 200, body: '', contentType: JSON_CONTENT_TYPE };
    }
    return jsonReply(200, body);
  }

  private statusFaultReply(f: StatusFault): Reply {
    let body: string;
    let contentType: string;
    if (typeof f.body === 'string') {
      body = f.body;
      contentType = f.contentType ?? 'text/plain; charset=utf-8';
    } else {
      const obj = f.body ?? defaultFaultBody(f.status);
      body = obj === null ? '' : JSON.stringify(obj);
      contentType = f.contentType ?? JSON_CONTENT_TYPE;
    }
    const headers: Record<string, string | null> = {};
    if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter);
    Object.assign(headers, f.headers ?? {});
    return { status: f.status, body, contentType, headers };
  }

  /** Build the header list: defaults, then overrides (case-insensitive; null removes). */
  private buildHeaders(rec: RecordedRequest, reply: Reply, length: number): Record<string, string> {
    const map = new Map<string, [string, string | null]>();
    const set = (name: string, value: string | null): void => void map.set(name.toLowerCase(), [name, value]);
    set('Content-Type', reply.contentType);
    set('Server', this.options.serverHeader);
    set('x-ms-request-id', rec.requestId);
    for (const [k, v] of Object.entries(reply.headers ?? {})) set(k, v);
    set('Content-Length', String(length));
    const out: Record<string, string> = {};
    for (const [name, value] of map.values()) if (value !== null) out[name] = value;
    return out;
  }

  private send(res: ServerResponse, rec: RecordedRequest, reply: Reply): void {
    if (res.destroyed || res.headersSent || this.closed) return;
    const body = Buffer.from(reply.body, 'utf8');
    let status = reply.status;
    if (!Number.isInteger(status) || status < 100 || status > 999) status = 500;
    rec.status = status;
    res.writeHead(status, this.buildHeaders(rec, reply, body.length));
    res.end(body);
  }

  private sendThenReset(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest, reply: Reply): void {
    if (res.destroyed || res.headersSent || this.closed) return;
    const body = Buffer.from(reply.body, 'utf8');
    rec.status = reply.status;
    res.writeHead(reply.status, this.buildHeaders(rec, reply, body.length));
    const half = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
    res.write(half, () => this.resetSocket(req.socket));
  }

  private internalError(res: ServerResponse, err: unknown): void {
    // The mock must never crash; report a 500 if still possible.
    try {
      if (!res.headersSent && !res.destroyed) {
        const body = JSON.stringify({ error: 'server_error', error_description: `mock-imds internal error: ${String(err)}` });
        res.writeHead(500, { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      } else {
        res.destroy();
      }
    } catch {
      /* ignore */
    }
  }
}

/**
 * Start a mock IMDS on loopback (default `127.0.0.1`, free port).
 * Always `await mock.close()` when done.
 */
export async function startMockImds(options: MockImdsOptions = {}): Promise<MockImds> {
  const mock = new MockImdsServer(resolveConfig(options));
  if (options.faults) mock.setFaults(options.faults);
  await mock.listen();
  return mock;
}
