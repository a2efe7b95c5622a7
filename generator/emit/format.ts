/**
 * The last gate of emission: a rendered file with a syntax error is never written (the error
 * names the file and line, pointing at a generator bug), and every file is formatted the same way
 * so output is stable and reads as if written by hand.
 *
 * The TypeScript formatter is ts-morph's compiler (so output does not depend on which TypeScript
 * the project installs), driven through a one-file language service: one parse to check syntax,
 * one for the formatter. ts-morph's own `formatText` parsed each file three times and wrapped
 * every node, which made formatting most of the generation time (BENCHMARKS.md).
 */
import { ts } from 'ts-morph';

const settings: ts.FormatCodeSettings = {
  ...ts.getDefaultFormatCodeSettings('\n'),
  indentSize: 2,
  tabSize: 2,
  convertTabsToSpaces: true,
  newLineCharacter: '\n',
  indentStyle: ts.IndentStyle.Smart,
  semicolons: ts.SemicolonPreference.Insert,
  insertSpaceAfterCommaDelimiter: true,
  insertSpaceAfterConstructor: false,
  insertSpaceAfterSemicolonInForStatements: true,
  insertSpaceAfterKeywordsInControlFlowStatements: true,
  insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
  insertSpaceAfterOpeningAndBeforeClosingNonemptyBrackets: false,
  insertSpaceAfterOpeningAndBeforeClosingTemplateStringBraces: false,
  insertSpaceAfterOpeningAndBeforeClosingJsxExpressionBraces: false,
  insertSpaceBeforeFunctionParenthesis: false,
  insertSpaceBeforeAndAfterBinaryOperators: true,
  placeOpenBraceOnNewLineForFunctions: false,
  placeOpenBraceOnNewLineForControlBlocks: false,
};

export class EmitError extends Error {
  override name = 'EmitError';
}

/** The one file being formatted, served to the language service. */
let current = { name: '/file.ts', text: '', version: 0 };
const host: ts.LanguageServiceHost = {
  getCompilationSettings: () => ({ target: ts.ScriptTarget.ES2022 }),
  getScriptFileNames: () => [current.name],
  getScriptVersion: (name) => (name === current.name ? String(current.version) : '0'),
  getScriptSnapshot: (name) => (name === current.name ? ts.ScriptSnapshot.fromString(current.text) : undefined),
  getCurrentDirectory: () => '/',
  getDefaultLibFileName: () => '/lib.d.ts',
  fileExists: (name) => name === current.name,
  readFile: (name) => (name === current.name ? current.text : undefined),
};
let service: ts.LanguageService | undefined;

export function formatTypeScript(fileName: string, text: string): string {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const problems = (source as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
  if (problems.length > 0) {
    const first = problems[0]!;
    const { line, character } = source.getLineAndCharacterOfPosition(first.start ?? 0);
    throw new EmitError(
      `generated ${fileName} does not parse at ${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')} (a generator bug; nothing was written)`,
    );
  }
  current = { name: `/${fileName}`, text, version: current.version + 1 };
  service ??= ts.createLanguageService(host, ts.createDocumentRegistry(), ts.LanguageServiceMode.Syntactic);
  const formatted = reindentDocComments(applyEdits(text, service.getFormattingEditsForDocument(current.name, settings))).replace(/\n{3,}/g, '\n\n');
  return formatted.endsWith('\n') ? formatted : `${formatted}\n`;
}

/** Applies non-overlapping edits (in position order; equal starts keep their given order). */
function applyEdits(text: string, edits: readonly ts.TextChange[]): string {
  const sorted = edits.map((edit, index) => ({ edit, index })).sort((a, b) => a.edit.span.start - b.edit.span.start || a.index - b.index);
  const parts: string[] = [];
  let position = 0;
  for (const { edit } of sorted) {
    parts.push(text.slice(position, edit.span.start), edit.newText);
    position = edit.span.start + edit.span.length;
  }
  parts.push(text.slice(position));
  return parts.join('');
}

/**
 * The formatter leaves the inner lines of block comments where the template put them; align
 * them with their opening line. Safe because escaped doc text can never contain a closing marker.
 */
function reindentDocComments(text: string): string {
  const lines = text.split('\n');
  let indent: string | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    const trimmed = line.trimStart();
    if (indent !== undefined) {
      lines[i] = `${indent} ${trimmed}`;
      if (trimmed.startsWith('*/')) indent = undefined;
    } else if (trimmed.startsWith('/**') && !trimmed.includes('*/')) {
      indent = line.slice(0, line.length - trimmed.length);
    }
  }
  return lines.join('\n');
}
