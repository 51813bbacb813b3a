import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A JSON-lines file through which code running inside the dynamic-provider
 * process (a separate process started by the CLI) reports what it saw back to
 * the test. The provider appends with
 * `require("fs").appendFileSync(journalPath, JSON.stringify(entry) + "\n")`;
 * only the path string is captured by the serialized closure.
 */
export class Journal<T = Record<string, unknown>> {
  constructor(readonly path: string) {}

  /** Creates an empty journal file inside `dir`. */
  static create<T = Record<string, unknown>>(dir: string, name = "journal.jsonl"): Journal<T> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, "");
    return new Journal<T>(file);
  }

  /** Every entry written so far, in write order. */
  entries(): T[] {
    const text = fs.readFileSync(this.path, "utf8");
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line, i) => {
        try {
          return JSON.parse(line) as T;
        } catch (err) {
          throw new Error(`journal ${this.path}: line ${i + 1} is not JSON: ${line}`, { cause: err });
        }
      });
  }

  /** Forgets what was written (between stack operations). */
  clear(): void {
    fs.writeFileSync(this.path, "");
  }
}
