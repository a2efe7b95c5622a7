/**
 * The starter capability `naftiko-codegen new` writes: the smallest useful capability (one
 * consumed operation, exposed over REST and MCP), every key commented. It uses a public demo
 * API so that it runs as written. It is plain text, not built from objects, to keep the comments.
 */

export function starterCapability(name: string, schema?: string): string {
  const label = name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
  const modeline = schema ? `# yaml-language-server: $schema=${schema}\n` : '';
  return `${modeline}# ${label}: a starter Naftiko capability written by \`naftiko-codegen new ${name}\`.
# It calls one operation of an HTTP API and exposes it twice: as a REST route and as an MCP tool.
#   validate:  naftiko-codegen validate capabilities/${name}.yaml
#   generate:  naftiko-codegen generate capabilities/${name}.yaml   (→ generated/${name}/)
#   run:       npx tsx generated/${name}/server.ts                  (--help lists the options)
#   try:       curl http://127.0.0.1:8080/todos/1
# What each construct generates: docs/semantics.md of naftiko-codegen.

# The specification version this file follows.
naftiko: "1.0.0-alpha2"

# What the capability is. The label and description reach the generated code's comments and
# the OpenAPI description the REST adapter serves at /openapi.json.
info:
  label: ${label}
  description: Looks up to-do items of JSONPlaceholder, a free demo API, over REST and MCP.

capability:
  # consumes: the upstream HTTP APIs this capability calls. Each namespace becomes a typed client.
  consumes:
    - type: http
      # How calls refer to this API: call: <namespace>.<operation name>.
      namespace: jsonplaceholder
      description: JSONPlaceholder, a fake REST API for demos.
      # No trailing slash. The server option --base-uri jsonplaceholder=<url> replaces it at run time.
      baseUri: https://jsonplaceholder.typicode.com
      resources:
        - name: todo
          # {{id}} is filled in from the operation's input named id (percent-encoded).
          path: /todos/{{id}}
          operations:
            - name: get-todo
              method: GET
              # The inputs the upstream request carries: in path, query, header, cookie or body.
              # A \`value\` makes one a constant (e.g. an api-version query parameter).
              inputParameters:
                - name: id
                  in: path

  # exposes: what callers see. Each entry becomes an adapter of the generated server.
  exposes:
    # A REST adapter: Fastify routes on 127.0.0.1 (the server option --host changes that).
    - type: rest
      namespace: ${name}-rest
      # --rest-port overrides it; 0 picks a free port.
      port: 8080
      resources:
        - path: /todos/{id}
          name: todo
          description: One to-do item.
          operations:
            - method: GET
              name: get-todo
              description: Get a to-do item by its id.
              # Declared inputs are validated before anything is sent upstream (400 problem+json).
              inputParameters:
                - name: id
                  in: path
                  type: integer
                  description: The to-do item's id, 1 to 200.
              # <consumes namespace>.<operation name>
              call: jsonplaceholder.get-todo
              # Consumed input ← this adapter's input.
              with:
                id: ${name}-rest.id
              # Without outputParameters the upstream answer is relayed as it came.
              # These build a new JSON answer from it (JSONPath mappings).
              outputParameters:
                - type: object
                  properties:
                    id:
                      type: number
                      mapping: $.id
                    title:
                      type: string
                      mapping: $.title
                    done:
                      type: boolean
                      mapping: $.completed

    # An MCP adapter: tools over Streamable HTTP at http://127.0.0.1:9090/mcp.
    - type: mcp
      namespace: ${name}-mcp
      # --mcp-port overrides it.
      port: 9090
      # http, or stdio for clients that start the server themselves.
      transport: http
      # Sent to MCP clients as the server's instructions.
      description: Tools to look up to-do items.
      tools:
        - name: get-todo
          description: Get a to-do item by its id.
          # Annotations that tell MCP clients what the tool does to the world.
          hints:
            readOnly: true
            destructive: false
            idempotent: true
            openWorld: true
          # Tool arguments (required unless required: false).
          inputParameters:
            - name: id
              type: integer
              description: The to-do item's id, 1 to 200.
              required: true
          call: jsonplaceholder.get-todo
          with:
            id: ${name}-mcp.id
          outputParameters:
            - type: object
              properties:
                id:
                  type: number
                  mapping: $.id
                title:
                  type: string
                  mapping: $.title
                done:
                  type: boolean
                  mapping: $.completed

# Before serving beyond this machine, require a caller credential on each exposes entry:
#       authentication: {type: bearer, token: "{{${name.toUpperCase().replace(/-/g, '_')}_TOKEN}}"}
# and say where the secret comes from (here, an environment variable of the same name):
#   binds:
#     - namespace: secrets
#       keys: {${name.toUpperCase().replace(/-/g, '_')}_TOKEN: ${name.toUpperCase().replace(/-/g, '_')}_TOKEN}
`;
}
