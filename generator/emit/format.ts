/**
 * ts-morph as the last gate of emission: a rendered file with a syntax error is never written
 * (the error names the file and line, pointing at a generator bug), and every file is formatted
 * the same way so output is stable and reads as if written by hand.
 */
import { Project, ts } from 'ts-morph';

const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
const settings: ts.FormatCodeSettings = {
  indentSize: 2,
  tabSize: 2,
  convertTabsToSpaces: true,
  newLineCharacter: '\n',
  semicolons: ts.SemicolonPreference.Insert,
  insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: true,
  insertSpaceBeforeAndAfterBinaryOperators: true,
  insertSpaceAfterKeywordsInControlFlowStatements: true,
  insertSpaceAfterCommaDelimiter: true,
  insertSpaceAfterSemicolonInForStatements: true,
  placeOpenBraceOnNewLineForFunctions: false,
  placeOpenBraceOnNewLineForControlBlocks: false,
};

export class EmitError extends Error {
  override name = 'EmitError';
}

export function formatTypeScript(fileName: string, text: string): string {
  const file = project.createSourceFile(`/${fileName}`, text, { overwrite: true });
  try {
    const problems = (file.compilerNode as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
    if (problems.length > 0) {
      const first = problems[0]!;
      const { line, character } = file.compilerNode.getLineAndCharacterOfPosition(first.start ?? 0);
      throw new EmitError(
        `generated ${fileName} does not parse at ${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')} (a generator bug; nothing was written)`,
      );
    }
    file.formatText(settings);
    const formatted = reindentDocComments(file.getFullText()).replace(/\n{3,}/g, '\n\n');
    return formatted.endsWith('\n') ? formatted : `${formatted}\n`;
  } finally {
    project.removeSourceFile(file);
  }
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
