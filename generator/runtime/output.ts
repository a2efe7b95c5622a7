/**
 * Output shaping for mapped outputParameters: a shape descriptor (written by the generator as
 * constant data) applied to the upstream JSON, or to nothing for mock outputs, whose static
 * `value`s are rendered against the caller's inputs.
 */
import { UpstreamMalformedError } from './errors.js';
import type { UpstreamResponse } from './http.js';
import { jsonPath } from './jsonpath.js';
import { renderText } from './template.js';

export type OutputShapeSpec =
  | { readonly kind: 'value'; readonly type: string; readonly mapping?: string; readonly value?: string }
  | { readonly kind: 'object'; readonly mapping?: string; readonly properties: readonly { readonly key: string; readonly shape: OutputShapeSpec }[] }
  | { readonly kind: 'array'; readonly mapping?: string; readonly items?: OutputShapeSpec };

/**
 * Applies a shape to `root`. Property mappings resolve against the current root (the engine's
 * rule: nested properties read from the response root, array items from their element).
 */
export function shapeOutput(shape: OutputShapeSpec, root: unknown, inputs: Readonly<Record<string, unknown>> = {}): unknown {
  switch (shape.kind) {
    case 'value': {
      if (shape.mapping !== undefined) return jsonPath(root, shape.mapping) ?? null;
      if (shape.value !== undefined) return renderText(shape.value, (name) => inputs[name]);
      return null;
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const { key, shape: child } of shape.properties) out[key] = shapeOutput(child, root, inputs);
      return out;
    }
    case 'array': {
      if (shape.mapping === undefined) return shape.items ? [shapeOutput(shape.items, root, inputs)] : [];
      const list = jsonPath(root, shape.mapping);
      if (!Array.isArray(list)) return null;
      return shape.items ? list.map((element) => shapeOutput(shape.items!, element, inputs)) : list;
    }
  }
}

/**
 * The upstream JSON a mapping reads. A body that did not parse (truncated, or not JSON at all)
 * is a bad gateway: mapping it would answer 200 with every field null.
 */
export function upstreamData(response: UpstreamResponse): unknown {
  if (response.data === undefined && response.body.length > 0) throw new UpstreamMalformedError(response.headers['content-type']);
  return response.data;
}
