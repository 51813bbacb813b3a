/**
 * The upload's files on disk: stat, SHA-256 (streamed), chunked reads, the vocabulary file.
 *
 * Memory stays bounded by one chunk: nothing reads a definition whole. The definition's SHA-256 is what the
 * state records (never its bytes); `diff` needs the current file's hash to tell a changed file, and reading a
 * model of hundreds of MB on every preview would make previews slow. So the hash is computed only when the
 * file's size or modification time differ from what was recorded when it was last hashed (a `stat` is
 * enough otherwise), and once per file version in a provider process. A file rewritten with the same bytes
 * is hashed once more and then found unchanged, so it is not replaced.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile, stat } from "node:fs/promises";
import type { FileRecord, InlineVocabulary } from "./inputs";

/** A file's size and modification time. */
export interface FileFacts {
  sizeBytes: number;
  modifiedMs: number;
}

/** Size and time of a regular file, or a sentence saying why it cannot be used. */
export async function statFile(path: string): Promise<FileFacts | { problem: string }> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return { problem: "is not a regular file" };
    if (s.size === 0) return { problem: "is empty" };
    return { sizeBytes: s.size, modifiedMs: Math.trunc(s.mtimeMs) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(err)})` };
  }
}

/** The SHA-256 of a file, read as a stream (bounded memory). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * The file's current record: the recorded one when size and time are unchanged (no read), else a fresh
 * hash. `cache` keeps hashes per path, size and time for the life of the provider process.
 */
export async function currentFileRecord(
  path: string,
  recorded: FileRecord | undefined,
  cache: Map<string, string>,
): Promise<FileRecord> {
  const facts = await statFile(path);
  if ("problem" in facts) throw new Error(`${path} ${facts.problem}`);
  if (recorded && recorded.sizeBytes === facts.sizeBytes && recorded.modifiedMs === facts.modifiedMs) {
    return recorded;
  }
  const key = `${path}\0${facts.sizeBytes}\0${facts.modifiedMs}`;
  let sha256 = cache.get(key);
  if (sha256 === undefined) {
    sha256 = await sha256File(path);
    cache.set(key, sha256);
  }
  return { sha256, ...facts };
}

/**
 * The file in chunks of `chunkSize` bytes (the last one shorter), each in a buffer of its own so a caller
 * may keep it while the next is read. Only one chunk is held at a time by this reader.
 */
export async function* readChunks(path: string, chunkSize: number): AsyncGenerator<Buffer> {
  const handle = await open(path, "r");
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkSize);
      let filled = 0;
      while (filled < chunkSize) {
        const { bytesRead } = await handle.read(buffer, filled, chunkSize - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) return;
      yield filled === chunkSize ? buffer : buffer.subarray(0, filled);
      if (filled < chunkSize) return;
    }
  } finally {
    await handle.close();
  }
}

/** Read eland's `vocabulary.json` (a few MB at most: the tokenizer's tokens, merges or scores). */
export async function readVocabularyFile(path: string): Promise<InlineVocabulary> {
  const text = await readFile(path, "utf8");
  return JSON.parse(text) as InlineVocabulary;
}

/** Whether two file records are the same (hash, size and time). */
export function sameRecord(a: FileRecord | undefined, b: FileRecord | undefined): boolean {
  return a?.sha256 === b?.sha256 && a?.sizeBytes === b?.sizeBytes && a?.modifiedMs === b?.modifiedMs;
}
