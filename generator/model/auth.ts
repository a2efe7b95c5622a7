/** `authentication` blocks → auth specs, for calls upstream (outbound) and for callers (inbound). */
import type { ServerAuthSpec } from '../runtime/auth.js';
import type { AuthSpec } from '../runtime/descriptor.js';
import { child, isObj, str, text, type Node, type Reporter } from './spec-access.js';

export function buildAuth(node: Node, report: Reporter, direction: 'outbound'): AuthSpec | undefined;
export function buildAuth(node: Node, report: Reporter, direction: 'inbound'): ServerAuthSpec | undefined;
export function buildAuth(node: Node, report: Reporter, direction: 'outbound' | 'inbound'): AuthSpec | ServerAuthSpec | undefined {
  if (!isObj(node.value)) return undefined;
  const type = str(child(node, 'type'));
  const get = (key: string): string => text(child(node, key)) ?? '';
  switch (type) {
    case 'bearer':
      return { type, token: get('token') };
    case 'basic':
      return { type, username: get('username'), password: get('password') };
    case 'digest':
      // Outbound digest is sent as basic credentials (no challenge round trip); inbound is refused below.
      if (direction === 'outbound') return { type, username: get('username'), password: get('password') };
      break;
    case 'apikey': {
      // The schema's default placement is header (the reference engine errors instead).
      const placement = str(child(node, 'placement')) === 'query' ? 'query' : 'header';
      if (placement === 'header' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(get('key'))) {
        report.error(child(node, 'key'), 'bad-header-name', `apikey header name ${JSON.stringify(get('key'))} is not a valid HTTP token`,
          'use letters, digits and !#$%&\'*+-.^_`|~ only, or placement: query');
        return undefined;
      }
      return { type, key: get('key'), value: get('value'), placement };
    }
  }
  const allowed = direction === 'outbound' ? 'bearer, basic, digest or apikey' : 'bearer, apikey or basic';
  report.error(child(node, 'type'), 'unsupported', `${direction} authentication "${type}" is not supported`, `use ${allowed}`);
  return undefined;
}
