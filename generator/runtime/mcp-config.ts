/**
 * `--print-mcp-config`: a ready-to-paste `mcpServers` snippet (the shape Claude Desktop, Claude
 * Code and VS Code read) for each MCP adapter: how to start this very server on stdio, and the
 * Streamable HTTP URL with its auth header. Secrets are never printed: they appear as
 * `${ENV_NAME}` placeholders naming the environment variable that holds them.
 */
import type { ServerAuthSpec } from './auth.js';
import type { BindSpec } from './bindings.js';

/** How to start this server again: the program and the arguments before the server options. */
export interface LaunchCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface McpConfigInput {
  readonly binds: readonly BindSpec[];
  readonly requires?: readonly string[] | undefined;
  readonly rest: readonly { readonly auth?: ServerAuthSpec | undefined }[];
  readonly mcp: readonly { readonly namespace: string; readonly port?: number | undefined; readonly address?: string | undefined; readonly auth?: ServerAuthSpec | undefined }[];
}

/** The options worth repeating on the stdio command line (what the MCP client will not have). */
export interface McpConfigOptions {
  readonly host?: string | undefined;
  readonly mcpPort?: number | undefined;
  readonly baseUris?: Readonly<Record<string, string>> | undefined;
  readonly variables?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs?: number | undefined;
  readonly logLevel?: string | undefined;
  readonly metrics?: boolean | undefined;
}

type ServerEntry =
  | { type: 'stdio'; command: string; args: string[]; env?: Record<string, string> }
  | { type: 'http'; url: string; headers?: Record<string, string> };

export function mcpClientConfig(def: McpConfigInput, options: McpConfigOptions, launch: LaunchCommand): { mcpServers: Record<string, ServerEntry> } {
  const servers: Record<string, ServerEntry> = {};
  const placeholder = (template: string, fallback: string): string => {
    const only = /^\{\{\s*([^{}\s]+)\s*\}\}$/.exec(template);
    return only ? `\${${envName(def.binds, only[1]!)}}` : fallback;
  };
  const inboundRefs = new Set(
    [...def.rest, ...def.mcp].flatMap((a) => (a.auth ? Object.values(a.auth).flatMap((v) => [...String(v).matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].map((m) => m[1]!)) : [])),
  );
  // Only one adapter can own stdin/stdout.
  if (def.mcp.length === 1) {
    const env: Record<string, string> = {};
    for (const ref of def.requires ?? []) {
      // Inbound secrets guard the network adapters; a stdio client does not present them.
      if (inboundRefs.has(ref)) continue;
      const name = envName(def.binds, ref);
      env[name] = `\${${name}}`;
    }
    servers[def.mcp[0]!.namespace] = {
      type: 'stdio',
      command: launch.command,
      args: [...launch.args, ...stdioArgs(options)],
      ...(Object.keys(env).length ? { env } : {}),
    };
  }
  for (const adapter of def.mcp) {
    let host = options.host ?? adapter.address ?? '127.0.0.1';
    if (host === '0.0.0.0' || host === '::') host = '127.0.0.1';
    if (host.includes(':')) host = `[${host}]`;
    const port = options.mcpPort ?? adapter.port;
    let url = `http://${host}:${port ? port : '<port>'}/mcp`;
    const headers: Record<string, string> = {};
    const auth = adapter.auth;
    if (auth?.type === 'bearer') headers.Authorization = `Bearer ${placeholder(auth.token, '<token>')}`;
    if (auth?.type === 'basic') headers.Authorization = 'Basic <base64 of username:password>';
    if (auth?.type === 'apikey') {
      const value = placeholder(auth.value, '<api key>');
      if (auth.placement === 'query') url += `?${encodeURIComponent(auth.key)}=${value}`;
      else headers[auth.key] = value;
    }
    servers[def.mcp.length === 1 ? `${adapter.namespace}-http` : adapter.namespace] = {
      type: 'http',
      url,
      ...(Object.keys(headers).length ? { headers } : {}),
    };
  }
  return { mcpServers: servers };
}

/** Server options for the stdio entry: stdio transport, REST on a free port (never clashing with
 * an HTTP instance already running), and the upstream settings this process was given. */
function stdioArgs(options: McpConfigOptions): string[] {
  const args = ['--mcp-transport', 'stdio', '--rest-port', '0'];
  if (options.host) args.push('--host', options.host);
  for (const [ns, url] of Object.entries(options.baseUris ?? {})) args.push('--base-uri', `${ns}=${url}`);
  for (const [name, value] of Object.entries(options.variables ?? {})) args.push('--var', `${name}=${value}`);
  if (options.timeoutMs !== undefined) args.push('--timeout-ms', String(options.timeoutMs));
  if (options.logLevel && options.logLevel !== 'info') args.push('--log-level', options.logLevel);
  if (options.metrics) args.push('--metrics');
  return args;
}

/** The environment variable behind a bind reference (its own name for file-backed binds). */
function envName(binds: readonly BindSpec[], ref: string): string {
  const dot = ref.indexOf('.');
  const variable = dot > 0 ? ref.slice(dot + 1) : ref;
  const bind =
    (dot > 0 ? binds.find((b) => b.namespace === ref.slice(0, dot) && Object.prototype.hasOwnProperty.call(b.keys, variable)) : undefined) ??
    [...binds].reverse().find((b) => Object.prototype.hasOwnProperty.call(b.keys, ref));
  if (!bind) return ref.replace(/[^A-Za-z0-9_]/g, '_');
  const key = dot > 0 && bind.namespace === ref.slice(0, dot) ? variable : ref;
  return bind.location === undefined ? bind.keys[key]! : key;
}
