/**
 * File-backed MCP resources and prompts (`location: file:///…` in the spec). A directory resource
 * lists every file under it as `<uri>/<relative path>` and reads them; a file prompt is one user
 * message. As in the reference engine, every path segment must match `[a-zA-Z0-9._-]+` and the
 * resolved file must stay inside the directory (symlinks included), else the caller gets -32602.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { renderPrompt } from './mcp.js';

const SEGMENT = /^[a-zA-Z0-9._-]+$/;
const BY_EXTENSION: Record<string, string> = {
  '.md': 'text/markdown', '.markdown': 'text/markdown', '.json': 'application/json', '.yaml': 'application/yaml', '.yml': 'application/yaml',
  '.txt': 'text/plain', '.xml': 'application/xml', '.csv': 'text/csv', '.html': 'text/html', '.htm': 'text/html',
};

/** A location relative to the generated module that declares it (`import.meta.url`). */
export function locate(moduleUrl: string, location: string): string {
  return resolve(fileURLToPath(new URL('.', moduleUrl)), location);
}

/** The ResourceTemplate of a directory resource: `<uri>/{+path}`, listing every file, sorted. */
export function directoryResource(uri: string, directory: string, mimeType?: string): ResourceTemplate {
  const base = uri.replace(/\/+$/, '');
  return new ResourceTemplate(`${base}/{+path}`, {
    list: async () => {
      const files = await listFiles(directory).catch(() => []);
      return { resources: files.map((file) => ({ uri: `${base}/${file}`, name: file, mimeType: mimeType ?? mimeOf(file) })) };
    },
  });
}

/** Reads one file of a directory resource. */
export async function readDirectoryFile(uri: string, directory: string, path: unknown, mimeType?: string): Promise<ReadResourceResult> {
  const relativePath = Array.isArray(path) ? path.join('/') : String(path ?? '');
  const segments = relativePath.split('/');
  if (segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..')) throw invalid(`resource path "${relativePath}" is not allowed`);
  let file: string;
  let root: string;
  try {
    root = await realpath(directory);
    file = await realpath(join(directory, ...segments));
  } catch {
    throw invalid(`no resource ${uri}`);
  }
  if (file !== root && !file.startsWith(root + sep)) throw invalid(`no resource ${uri}`);
  if (!(await stat(file)).isFile()) throw invalid(`${uri} is a directory`);
  const type = mimeType ?? mimeOf(file);
  const bytes = await readFile(file);
  return textual(type) ? { contents: [{ uri, mimeType: type, text: bytes.toString('utf8') }] } : { contents: [{ uri, mimeType: type, blob: bytes.toString('base64') }] };
}

/** A file prompt: the file's text, placeholders filled, as one user message. */
export async function filePrompt(file: string, args: Readonly<Record<string, string | undefined>>): Promise<{ messages: { role: 'user'; content: { type: 'text'; text: string } }[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new McpError(ErrorCode.InternalError, 'the prompt file cannot be read');
  }
  return { messages: [{ role: 'user', content: { type: 'text', text: renderPrompt(text, args) } }] };
}

async function listFiles(directory: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!SEGMENT.test(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) out.push(relative(directory, full).split(sep).join('/'));
    }
  };
  await walk(directory);
  return out.sort();
}

function mimeOf(file: string): string {
  return BY_EXTENSION[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function textual(type: string): boolean {
  return /^text\/|json|yaml|xml|javascript/i.test(type);
}

function invalid(message: string): McpError {
  return new McpError(ErrorCode.InvalidParams, message);
}
