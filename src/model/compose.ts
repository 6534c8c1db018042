import { Composer, Parser, type Document, type LineCounter } from 'yaml';

/**
 * The documents of a text, composed one at a time (a caller may stop early). Used to parse a
 * file, and to parse it again when a diagnostic needs positions (see SourceFile).
 */
export function* composeDocuments(text: string, lines?: LineCounter): Generator<Document.Parsed> {
  // Duplicate keys are found while converting: yaml's own check is quadratic in the keys.
  const composer = new Composer({ prettyErrors: false, uniqueKeys: false });
  yield* composer.compose(new Parser(lines?.addNewLine).parse(text)) as Generator<Document.Parsed>;
}
