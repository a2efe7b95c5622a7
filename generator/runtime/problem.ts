/**
 * RFC 9457 problem details: the one error shape every generated REST route answers with.
 * Details name inputs and operations, never values (a value may be a secret).
 */
import { BudgetExceededError } from './budget.js';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  ConfigurationError,
  InputError,
  NaftikoError,
  UpstreamHttpError,
  UpstreamMalformedError,
  UpstreamResponseTooLargeError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string | undefined;
  instance?: string | undefined;
  /** Validation failures: which input and why. */
  errors?: { in: string; name: string; message: string }[] | undefined;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Upstream response headers worth relaying besides the body's own content type. */
const RELAYED_HEADERS = ['content-type', 'content-encoding', 'content-language', 'etag', 'last-modified', 'location', 'retry-after'];

/** Copies the upstream headers a caller needs (content type, caching, Retry-After) onto a reply. */
export function relayHeaders(reply: FastifyReply, headers: Readonly<Record<string, string>>): void {
  for (const name of RELAYED_HEADERS) {
    const value = headers[name];
    if (value !== undefined) reply.header(name, value);
  }
}

export function problem(status: number, detail?: string, extra: Partial<Problem> = {}): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, ...(detail ? { detail } : {}), ...extra };
}

export function sendProblem(reply: FastifyReply, value: Problem): FastifyReply {
  return reply.code(value.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(value));
}

/**
 * Fastify error handler of the generated plugin: validation → 400 naming the inputs; upstream
 * HTTP errors pass through with their status, body and content type; transport failures → 502/504.
 */
export function problemErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const instance = request.url.split('?')[0];
  if (error instanceof UpstreamHttpError) {
    // Relayed like a success: a 429 or 503 keeps its Retry-After, so callers know when to come back.
    reply.code(error.status);
    relayHeaders(reply, error.headers);
    return reply.send(Buffer.from(error.body));
  }
  const validation = (error as FastifyError).validation;
  if (validation) {
    const where = (error as FastifyError).validationContext ?? 'request';
    const errors = validation.map((v) => {
      const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
      const name = missing ?? v.instancePath.replace(/^\//, '').replace(/~1/g, '/').replace(/~0/g, '~');
      const location = where === 'querystring' ? 'query' : where === 'params' ? 'path' : where;
      return { in: location, name, message: missing ? 'is required' : (v.message ?? 'is invalid') };
    });
    const detail = errors.map((e) => `${e.in} input "${e.name}" ${e.message}`).join('; ');
    return sendProblem(reply, problem(400, detail, { instance, errors }));
  }
  if (error instanceof InputError) {
    return sendProblem(reply, problem(400, error.message, { instance, errors: [{ in: 'request', name: error.input, message: error.reason }] }));
  }
  if (error instanceof UpstreamTimeoutError || error instanceof UpstreamUnreachableError || error instanceof UpstreamResponseTooLargeError || error instanceof UpstreamMalformedError) {
    return sendProblem(reply, problem(error.status, error.message, { instance }));
  }
  if (error instanceof ConfigurationError) {
    request.log.error({ err: { message: error.message } }, 'configuration error');
    return sendProblem(reply, problem(500, error.message, { instance }));
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own client errors (body too large, bad JSON, unsupported media type).
    return sendProblem(reply, problem(status, error.message, { instance }));
  }
  if (error instanceof BudgetExceededError) reply.header('retry-after', String(error.retryAfterSeconds));
  if (error instanceof NaftikoError) return sendProblem(reply, problem(error.status, error.message, { instance }));
  if ((error as { name?: string }).name === 'AbortError') {
    return sendProblem(reply, problem(499 as number, 'request cancelled', { instance }));
  }
  request.log.error({ err: { name: error.name, message: error.message } }, 'unexpected error');
  return sendProblem(reply, problem(500, 'unexpected error; see the server log', { instance }));
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (a request line or headers
 * over the size limit, malformed syntax, a client that never finishes) get problem+json too,
 * written straight to the socket as Node itself would.
 */
export function problemClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const detail = status === 408 ? 'the request was not received in time' : status === 431 ? 'the request line or headers are too large' : 'the request is not valid HTTP';
  const body = JSON.stringify(problem(status, detail));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${TITLES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
