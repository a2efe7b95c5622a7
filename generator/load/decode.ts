/** Spec bytes → text: strict UTF-8, a leading BOM dropped. Light on purpose (no YAML): the incremental cache keys on it too. */
export function decodeSpec(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
