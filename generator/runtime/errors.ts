/**
 * Typed errors raised by the generated client and mapped by the generated servers:
 * an HTTP caller gets problem+json with the status below, an MCP caller a tool error.
 * Messages never contain secrets: they name inputs and variables, never their values.
 */

/** Base class so callers can catch everything the generated code throws on purpose. */
export class NaftikoError extends Error {
  override name = 'NaftikoError';
  /** HTTP status a generated server answers with when this error reaches it. */
  readonly status: number = 500;
}

/** The upstream answered with a status of 400 or more. */
export class UpstreamHttpError extends NaftikoError {
  override name = 'UpstreamHttpError';
  override readonly status: number;
  constructor(
    readonly operation: string,
    status: number,
    readonly headers: Readonly<Record<string, string>>,
    /** Raw body bytes as received. */
    readonly body: Uint8Array,
    /** Parsed JSON body when the upstream sent JSON, else undefined. */
    readonly data: unknown,
  ) {
    super(`${operation}: upstream answered HTTP ${status}${describeErrorBody(data)}`);
    this.status = status;
  }

  get contentType(): string | undefined {
    return this.headers['content-type'];
  }
}

/** The upstream did not answer within the time allowed. */
export class UpstreamTimeoutError extends NaftikoError {
  override name = 'UpstreamTimeoutError';
  override readonly status = 504;
  constructor(readonly operation: string, readonly timeoutMs: number) {
    super(`${operation}: upstream did not answer within ${timeoutMs} ms`);
  }
}

/** The upstream could not be reached, or the connection broke before a full answer. */
export class UpstreamUnreachableError extends NaftikoError {
  override name = 'UpstreamUnreachableError';
  override readonly status = 502;
  constructor(readonly operation: string, readonly code: string, readonly origin: string) {
    super(`${operation}: upstream ${origin} unreachable (${code})`);
  }
}

/** The upstream answer was larger than the configured limit. */
export class UpstreamResponseTooLargeError extends NaftikoError {
  override name = 'UpstreamResponseTooLargeError';
  override readonly status = 502;
  constructor(readonly operation: string, readonly limitBytes: number) {
    super(`${operation}: upstream response exceeds ${limitBytes} bytes`);
  }
}

/** The upstream answered a body that cannot be read as the JSON a mapping needs. */
export class UpstreamMalformedError extends NaftikoError {
  override name = 'UpstreamMalformedError';
  override readonly status = 502;
  constructor(readonly contentType: string | undefined) {
    super(`upstream answered a body that is not valid JSON${contentType ? ` (${contentType})` : ''}; its fields cannot be mapped`);
  }
}

/** A caller input is missing or unusable; nothing was sent upstream. */
export class InputError extends NaftikoError {
  override name = 'InputError';
  override readonly status = 400;
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`input "${input}" ${reason}`);
  }
}

/** Deployment configuration is missing (base URI, host variable, binding); nothing was sent. */
export class ConfigurationError extends NaftikoError {
  override name = 'ConfigurationError';
  override readonly status = 500;
  constructor(message: string, readonly hint?: string) {
    super(hint ? `${message} (${hint})` : message);
  }
}

/** Upstream `error`/`error_description` (OAuth style) or problem `title`/`detail`, if present. */
function describeErrorBody(data: unknown): string {
  if (typeof data !== 'object' || data === null) return '';
  const record = data as Record<string, unknown>;
  const parts = [record.error, record.error_description, record.title, record.detail, record.message]
    .filter((v): v is string => typeof v === 'string' && v.length > 0)
    .map((v) => (v.length > 300 ? `${v.slice(0, 300)}…` : v));
  return parts.length > 0 ? `: ${parts.join(': ')}` : '';
}
