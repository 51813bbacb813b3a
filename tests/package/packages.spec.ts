/**
 * The two publishable packages as `npm pack` makes them from a clean state: a copy of the repository's
 * files as a clone holds them (no `dist/`, no build output), where `npm pack` must build through the
 * package's `prepack`. Each tarball holds exactly the built code, its types, the bin shim, the README,
 * the LICENSE (and the sdk's CHANGELOG); every declared entry loads from an unpacked copy, which
 * refuses undeclared `dist/...` paths, and every bin runs `--help`.
 *
 * The copy borrows the workspace's `node_modules` (a link) for the compiler and the sdk's dependencies:
 * packing needs no network. The engine is not involved.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../e2e/harness/repo";

const execFileAsync = promisify(execFile);

/** The placeholder address every package and README uses until the repository's real one is confirmed. */
const REPOSITORY = "https://github.com/pulumi-elasticsearch-ml/pulumi-elasticsearch-ml";

interface PackedFile {
  path: string;
  mode: number;
}

interface Manifest {
  name: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  typesVersions?: Record<string, Record<string, string[]>>;
  files?: string[];
  scripts?: Record<string, string>;
  license?: string;
  repository?: { type: string; url: string; directory: string };
  homepage?: string;
  bugs?: { url: string };
}

interface PackageCase {
  dir: string;
  name: string;
  /** Files besides the built code that the tarball must hold. */
  docs: string[];
  /** What each declared entry must export (a few names that prove it is the right module). */
  entries: Record<string, string[]>;
  /** What `<bin> --help` prints. */
  usage: Record<string, RegExp>;
}

const PACKAGES: PackageCase[] = [
  {
    dir: "sdk",
    name: "pulumi-elasticsearch-ml",
    docs: ["CHANGELOG.md", "LICENSE", "README.md", "bin/pulumi-elasticsearch-ml.js", "package.json"],
    entries: {
      ".": ["TrainedModelDeployment", "TYPE_TOKEN", "TrainedModel", "MODEL_TYPE_TOKEN"],
      "./provider": ["configure", "check", "diff", "create", "read", "update", "delete"],
      "./provider/trained-model": ["configure", "check", "diff", "create", "read", "update", "delete"],
      "./report": ["createReport", "renderMarkdown"],
      "./cli": ["main", "run", "previewReport"],
      "./package.json": ["name", "version"],
    },
    usage: { "pulumi-elasticsearch-ml": /Usage: pulumi-elasticsearch-ml <command>[\s\S]*preview-report/ },
  },
  {
    dir: "emulator",
    name: "elasticsearch-ml-emulator",
    docs: ["LICENSE", "README.md", "bin/es-ml-emulator.js", "package.json"],
    entries: {
      ".": ["startEmulator"],
      "./package.json": ["name", "version"],
    },
    usage: { "es-ml-emulator": /Usage: es-ml-emulator \[options\][\s\S]*--cluster-uuid/ },
  },
];

/** Every file a clone of the repository holds (tracked or new, not ignored), copied into `dest`. */
function copyAsCloned(root: string, dest: string, files: string[]): void {
  for (const file of files) {
    const from = path.join(root, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree, not yet in a commit
    fs.mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dest, file));
    fs.chmodSync(path.join(dest, file), fs.statSync(from).mode);
  }
}

/** The environment of a nested npm: none of the settings an enclosing `npm test` exports. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|INIT_CWD$|NODE_PATH$)/i.test(key)),
  );
}

/** The built files that the sources under `src` compile to: each module's .js and .d.ts. */
function expectedBuild(srcDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const stem = path.relative(srcDir, full).slice(0, -".ts".length).split(path.sep).join("/");
        out.push(`dist/${stem}.js`, `dist/${stem}.d.ts`);
      }
    }
  };
  walk(srcDir);
  return out;
}

/** Relative links of a Markdown text (not `http(s):`, `mailto:` or in-page `#anchors`). */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1])
    .filter((href) => !/^(https?:|mailto:|#)/.test(href));
}

describe("packages: npm pack from a clean copy, then every declared entry and bin", function () {
  this.timeout(300_000);
  const root = repoRoot();
  let scratch: string;
  let clean: string;

  before(async function () {
    this.timeout(120_000);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "es-ml-packages-"));
    clean = path.join(scratch, "repo");
    const { stdout } = await execFileAsync(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    copyAsCloned(root, clean, stdout.split("\0").filter(Boolean));
    fs.symlinkSync(path.join(root, "node_modules"), path.join(clean, "node_modules"), "dir");
    for (const pkg of PACKAGES) {
      assert.ok(!fs.existsSync(path.join(clean, pkg.dir, "dist")), `${pkg.dir}/dist is not in a clone`);
    }
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  for (const pkg of PACKAGES) {
    describe(pkg.name, () => {
      let manifest: Manifest;
      let files: PackedFile[];
      let unpacked: string;
      let consumer: string;

      before(async function () {
        this.timeout(240_000);
        const dir = path.join(clean, pkg.dir);
        manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;
        const out = path.join(scratch, `${pkg.dir}-tarball`);
        fs.mkdirSync(out);
        // PATH as a user's shell has it: npm finds tsc through the node_modules/.bin folders it adds itself.
        const { stdout } = await execFileAsync("npm", ["pack", "--json", "--pack-destination", out], {
          cwd: dir,
          env: cleanEnv(),
          maxBuffer: 64 * 1024 * 1024,
        });
        const [packed] = JSON.parse(stdout.slice(stdout.indexOf("["))) as {
          filename: string;
          files: PackedFile[];
        }[];
        assert.ok(packed, "npm pack described the tarball");
        files = packed.files;

        // Unpacked as `npm install` lays it out, beside the dependencies it declares.
        consumer = path.join(scratch, `${pkg.dir}-consumer`);
        unpacked = path.join(consumer, "node_modules", pkg.name);
        fs.mkdirSync(unpacked, { recursive: true });
        await execFileAsync("tar", [
          "-xzf",
          path.join(out, packed.filename),
          "-C",
          unpacked,
          "--strip-components=1",
        ]);
        const deps = Object.keys({
          ...(
            JSON.parse(fs.readFileSync(path.join(unpacked, "package.json"), "utf8")) as {
              dependencies?: Record<string, string>;
              peerDependencies?: Record<string, string>;
            }
          ).dependencies,
          ...(
            JSON.parse(fs.readFileSync(path.join(unpacked, "package.json"), "utf8")) as {
              peerDependencies?: Record<string, string>;
            }
          ).peerDependencies,
        });
        for (const dep of deps) {
          const target = path.join(consumer, "node_modules", dep);
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.symlinkSync(path.join(root, "node_modules", dep), target, "dir");
        }
      });

      it("is built by prepack and holds exactly the built code, types, bin, README and LICENSE", () => {
        assert.equal(manifest.scripts?.prepack, "tsc -b", "npm pack builds dist/ itself");
        const expected = [...expectedBuild(path.join(clean, pkg.dir, "src")), ...pkg.docs].sort();
        assert.deepEqual(
          files.map((f) => f.path).sort(),
          expected,
          "no sources, tests, sourcemaps or build info; nothing missing",
        );
        for (const bin of Object.values(manifest.bin ?? {})) {
          const entry = files.find((f) => f.path === bin);
          assert.ok(entry && (entry.mode & 0o111) !== 0, `${bin} is packed executable`);
        }
      });

      it("has the bin paths in package-lock.json that package.json declares (npm ci links the lockfile's)", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(clean, "package-lock.json"), "utf8")) as {
          packages: Record<string, { bin?: Record<string, string> }>;
        };
        assert.deepEqual(lock.packages[pkg.dir]?.bin, manifest.bin);
      });

      it("carries the Apache-2.0 LICENSE it declares, and where its repository and issues are", () => {
        assert.equal(manifest.license, "Apache-2.0");
        const license = fs.readFileSync(path.join(unpacked, "LICENSE"), "utf8");
        assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
        assert.match(license, /END OF TERMS AND CONDITIONS/);
        assert.equal(
          license,
          fs.readFileSync(path.join(root, "LICENSE"), "utf8"),
          "the repository's LICENSE",
        );
        assert.deepEqual(manifest.repository, {
          type: "git",
          url: `git+${REPOSITORY}.git`,
          directory: pkg.dir,
        });
        assert.equal(manifest.homepage, `${REPOSITORY}/tree/main/${pkg.dir}#readme`);
        assert.deepEqual(manifest.bugs, { url: `${REPOSITORY}/issues` });
      });

      it("has README and CHANGELOG links that work on the package page (absolute, or a file in the package)", () => {
        for (const doc of ["README.md", "CHANGELOG.md"]) {
          const file = path.join(unpacked, doc);
          if (!fs.existsSync(file)) continue;
          for (const href of relativeLinks(fs.readFileSync(file, "utf8"))) {
            const target = href.split("#")[0];
            assert.ok(
              files.some((f) => f.path === path.posix.normalize(target)),
              `${doc} links to ${href}, which is not in the package`,
            );
          }
        }
      });

      it("loads every declared entry from the unpacked package, and no undeclared dist/ path", async () => {
        const declared = Object.keys(manifest.exports ?? {});
        assert.deepEqual(declared.sort(), Object.keys(pkg.entries).sort(), "the declared entries");
        assert.ok(
          !declared.some((key) => key.includes("*") || key.startsWith("./dist")),
          "no wildcard, no dist/ path",
        );
        for (const [key, names] of Object.entries(pkg.entries)) {
          const request = key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`;
          const { stdout } = await execFileAsync(
            process.execPath,
            ["-e", `process.stdout.write(JSON.stringify(Object.keys(require(${JSON.stringify(request)}))))`],
            { cwd: consumer, env: cleanEnv() },
          );
          const exported = JSON.parse(stdout) as string[];
          for (const name of names) assert.ok(exported.includes(name), `${request} exports ${name}`);
          // Each entry's types exist in the package too.
          const target = manifest.exports?.[key];
          if (typeof target === "object" && target.types) {
            assert.ok(fs.existsSync(path.join(unpacked, target.types)), `${key}: ${target.types} is packed`);
          }
        }
        for (const [sub, [typesFile]] of Object.entries(manifest.typesVersions?.["*"] ?? {})) {
          assert.ok(
            fs.existsSync(path.join(unpacked, typesFile)),
            `typesVersions ${sub}: ${typesFile} is packed`,
          );
        }
        for (const field of [manifest.main, manifest.types]) {
          if (field) assert.ok(fs.existsSync(path.join(unpacked, field)), `${field} is packed`);
        }
        const internal = `${pkg.name}/dist/index.js`;
        await assert.rejects(
          execFileAsync(process.execPath, ["-e", `require(${JSON.stringify(internal)})`], { cwd: consumer }),
          (err: { stderr?: string }) => /ERR_PACKAGE_PATH_NOT_EXPORTED/.test(err.stderr ?? ""),
          `${internal} is not public API`,
        );
      });

      it("runs every bin with --help", async () => {
        assert.deepEqual(Object.keys(manifest.bin ?? {}).sort(), Object.keys(pkg.usage).sort());
        for (const [name, bin] of Object.entries(manifest.bin ?? {})) {
          // Run as npm's link runs it: the file itself (its shebang and executable bit).
          const { stdout } = await execFileAsync(path.join(unpacked, bin), ["--help"], {
            cwd: consumer,
            env: {
              ...cleanEnv(),
              PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
            },
          });
          assert.match(stdout, pkg.usage[name], `${name} --help`);
        }
      });
    });
  }
});
