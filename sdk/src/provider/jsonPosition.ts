/**
 * Where a text stops being valid JSON, for messages about config values that may hold credentials.
 *
 * `JSON.parse`'s own message cannot be used: depending on the error and the Node version it quotes the
 * offending character ("Unexpected token 'Z'") or up to ten characters either side of it, which is part
 * of an API key or token when one was pasted unquoted. Its "at position N" is not always there either.
 * So this scanner finds the position itself, and callers report only that number.
 *
 * Pure. It checks the JSON grammar only (RFC 8259), which is exactly what `JSON.parse` accepts.
 */

/** Thrown inside the scanner to stop at the first error. */
class Stop {}

const WHITE_SPACE = " \t\n\r";
const ESCAPES = '"\\/bfnrt';
const HEX = /^[0-9a-fA-F]$/;
const DIGIT = /^[0-9]$/;

/**
 * The zero-based index of the first character at which `text` is not valid JSON (`text.length` when it
 * ends too early), or `undefined` when the whole text is valid JSON.
 */
export function jsonErrorPosition(text: string): number | undefined {
  let i = 0;
  const stop = (): never => {
    throw new Stop();
  };
  const skipWhiteSpace = (): void => {
    while (i < text.length && WHITE_SPACE.includes(text[i])) i++;
  };
  const expect = (char: string): void => {
    if (text[i] !== char) stop();
    i++;
  };
  const literal = (word: string): void => {
    for (const char of word) expect(char);
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      if (i >= text.length) stop();
      const char = text[i];
      if (char === '"') {
        i++;
        return;
      }
      if (char === "\\") {
        i++;
        if (text[i] === "u") {
          i++;
          for (let n = 0; n < 4; n++) {
            if (!HEX.test(text[i] ?? "")) stop();
            i++;
          }
        } else if (i < text.length && ESCAPES.includes(text[i])) {
          i++;
        } else {
          stop();
        }
      } else if (char < " ") {
        stop(); // control characters must be escaped
      } else {
        i++;
      }
    }
  };
  const digits = (): void => {
    if (!DIGIT.test(text[i] ?? "")) stop();
    while (DIGIT.test(text[i] ?? "")) i++;
  };
  const number = (): void => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else digits();
    if (text[i] === ".") {
      i++;
      digits();
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      digits();
    }
  };
  const members = (close: string, member: () => void): void => {
    i++; // the opening bracket
    skipWhiteSpace();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      member();
      skipWhiteSpace();
      if (text[i] === ",") {
        i++;
        skipWhiteSpace();
        continue;
      }
      expect(close);
      return;
    }
  };
  const value = (): void => {
    skipWhiteSpace();
    const char = text[i];
    if (char === "{") {
      members("}", () => {
        string();
        skipWhiteSpace();
        expect(":");
        value();
      });
    } else if (char === "[") {
      members("]", value);
    } else if (char === '"') {
      string();
    } else if (char === "t") {
      literal("true");
    } else if (char === "f") {
      literal("false");
    } else if (char === "n") {
      literal("null");
    } else {
      number();
    }
  };
  try {
    value();
    skipWhiteSpace();
    if (i < text.length) stop();
    return undefined;
  } catch (err) {
    if (err instanceof Stop) return Math.min(i, text.length);
    throw err;
  }
}
