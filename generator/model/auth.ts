/** `authentication` blocks → auth specs, for calls upstream (outbound) and for callers (inbound). */
import type { ServerAuthSpec } from '../runtime/auth.js';
import type { OAuth2AuthSpec } from '../runtime/oauth2.js';
import type { AuthSpec } from '../runtime/descriptor.js';
import { child, isObj, items, str, text, type Node, type Reporter } from './spec-access.js';

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
    case 'oauth2':
      if (direction === 'inbound') return buildOAuth2(node, report);
      break;
  }
  const allowed = direction === 'outbound' ? 'bearer, basic, digest or apikey' : 'bearer, apikey, basic or oauth2';
  report.error(child(node, 'type'), 'unsupported', `${direction} authentication "${type}" is not supported`, `use ${allowed}`);
  return undefined;
}

/** RFC 6749 scope-token: printable ASCII without space, `"` and `\\` (it is quoted in WWW-Authenticate). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Inbound `oauth2`: this adapter is a resource server validating JWT access tokens against the
 * issuer's JWKS. `tokenEndpoint` only matters to OpenAPI exporters and is not used here.
 */
function buildOAuth2(node: Node, report: Reporter): OAuth2AuthSpec | undefined {
  let ok = true;
  const uri = (key: string): string | undefined => {
    const field = child(node, key);
    const value = text(field);
    if (value === undefined) return undefined;
    // A `{{VAR}}` template is checked once resolved, at run time.
    if (!value.includes('{{') && !(/^https?:\/\/[^/?#]/i.test(value) && URL.canParse(value))) {
      report.error(field, 'uri', `${key} "${value}" is not an absolute http(s) URI`, 'write e.g. https://login.example.com/tenant or a {{VARIABLE}} from binds');
      ok = false;
    }
    return value;
  };
  const issuer = uri('authorizationServerUri');
  if (issuer === undefined) {
    report.error(node, 'auth', 'oauth2 authentication needs authorizationServerUri (the issuer of the access tokens)');
    ok = false;
  }
  const resource = uri('resource');
  const audience = text(child(node, 'audience'));
  if (resource === undefined && audience === undefined) {
    report.error(node, 'auth', 'oauth2 authentication needs resource or audience: tokens are only accepted for this server', 'set resource to this server\'s canonical URI (RFC 8707)');
    ok = false;
  }
  const scopes: string[] = [];
  const scopesNode = child(node, 'scopes');
  if (scopesNode.value !== undefined && !Array.isArray(scopesNode.value)) {
    report.error(scopesNode, 'auth', 'scopes must be a list of scope names');
    ok = false;
  }
  for (const item of items(scopesNode)) {
    const scope = str(item);
    if (scope === undefined || !SCOPE_TOKEN.test(scope)) {
      report.error(item, 'auth', 'a scope is a non-empty name without spaces, quotes or backslashes');
      ok = false;
    } else if (!scopes.includes(scope)) scopes.push(scope);
  }
  const validation = child(node, 'tokenValidation');
  if (validation.value !== undefined && validation.value !== 'jwks') {
    report.error(validation, 'unsupported', `tokenValidation "${String(validation.value)}" is not supported`, 'use jwks (the default): tokens are JWTs verified with the authorization server\'s published keys');
    ok = false;
  }
  if (!ok || issuer === undefined) return undefined;
  return {
    type: 'oauth2',
    authorizationServerUri: issuer,
    ...(resource !== undefined ? { resource } : {}),
    ...(audience !== undefined ? { audience } : {}),
    ...(scopes.length > 0 ? { scopes } : {}),
  };
}
