/**
 * The position reported for malformed JSON config values (which may hold credentials, so `JSON.parse`'s
 * own message, which quotes the text, is never shown). Where V8 reports a position itself, ours is the same.
 */
import * as assert from "node:assert/strict";
import { jsonErrorPosition } from "#sdk/provider/jsonPosition";

/** V8's "at position N", when its message has one. */
function v8Position(text: string): number | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const match = /at position (\d+)/.exec((err as Error).message);
    return match ? Number(match[1]) : undefined;
  }
}

describe("jsonErrorPosition", () => {
  const table: [string, number | undefined][] = [
    ['{"a": 1}', undefined],
    [' [1, -2.5e3, "x\\u00e9", true, false, null, {}] ', undefined],
    ["abc", 0],
    ["", 0],
    ["   ", 3],
    ['{"eu": {"apiKey": secret}}', 18],
    ['{"a": "b"', 9],
    ['{"a": "b', 8],
    ["{a: 1}", 1],
    ["{'a': 1}", 1],
    ['["a",]', 5],
    ['{"a": 1,}', 8],
    ['{"a" 1}', 5],
    ['{"a": 1} x', 9],
    ['"a\nb"', 2],
    ['"\\x"', 2],
    ['"\\u12g4"', 5],
    ["tru", 3],
    ["nul!", 3],
    ["-", 1],
    ["01", 1],
    ["1.", 2],
    ["[1 2]", 3],
  ];
  for (const [text, expected] of table) {
    it(`${JSON.stringify(text)} → ${expected === undefined ? "valid" : `position ${expected}`}`, () => {
      assert.equal(jsonErrorPosition(text), expected);
      const v8 = v8Position(text);
      if (expected === undefined) assert.doesNotThrow(() => JSON.parse(text));
      else assert.throws(() => JSON.parse(text));
      if (v8 !== undefined) assert.equal(expected, v8, "the same position V8 reports");
    });
  }
});
