/**
 * `exposes[].authentication` → OpenAPI security schemes. Only the scheme's kind and where the
 * credential travels are described; the secret (a bind template) never is.
 */
import type { ServerAuthSpec } from '../runtime/auth.js';
import type { Schema } from './schema.js';

export function securityScheme(auth: ServerAuthSpec): Schema {
  switch (auth.type) {
    case 'bearer':
      return { type: 'http', scheme: 'bearer' };
    case 'basic':
      return { type: 'http', scheme: 'basic' };
    case 'apikey':
      return { type: 'apiKey', in: auth.placement === 'query' ? 'query' : 'header', name: auth.key };
    case 'oauth2': {
      // A JWT bearer token; the issuer is named only when it is a literal (a template names a bind).
      const issuer = auth.authorizationServerUri.includes('{{') ? 'the authorization server' : auth.authorizationServerUri;
      const scopes = auth.scopes?.length ? `; required scopes: ${auth.scopes.join(' ')}` : '';
      return { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `OAuth 2 access token issued by ${issuer}${scopes}` };
    }
  }
}

/** Plans one scheme name per distinct scheme: `bearerAuth`, `basicAuth`, `apiKeyAuth`, then suffixes. */
export class SchemeNames {
  readonly #byKey = new Map<string, string>();
  readonly schemes: Record<string, Schema> = {};

  name(auth: ServerAuthSpec): string {
    const scheme = securityScheme(auth);
    const key = JSON.stringify(scheme);
    const known = this.#byKey.get(key);
    if (known) return known;
    const base = auth.type === 'apikey' ? 'apiKeyAuth' : `${auth.type}Auth`;
    let name = base;
    for (let n = 2; name in this.schemes; n += 1) name = `${base}${n}`;
    this.#byKey.set(key, name);
    this.schemes[name] = scheme;
    return name;
  }
}
