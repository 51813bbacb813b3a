// One lint configuration for the whole workspace: typescript-eslint's
// recommended rules on sources and tests; compiled output is ignored.
// TypeScript files are also linted with type information (each file's own
// tsconfig, found by the project service) for the promise rules: a promise
// nobody awaits hides its failure, and an async function where a plain
// callback is expected runs unawaited.
const tseslint = require("typescript-eslint");

module.exports = tseslint.config(
  { ignores: ["**/dist/**", "build/**", "**/node_modules/**", "scripts/**/*.js", "eslint.config.js"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
      // Only declared entry points: a `dist/...` import works in the workspace's tsc (node10 resolution
      // ignores "exports") but fails at run time. Tests reach internals through "#sdk/*" and "#emulator/*".
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(pulumi-elasticsearch-ml|elasticsearch-ml-emulator)/dist(/|$)",
              message: "not exported: use a declared entry, or #sdk/... / #emulator/... in tests",
            },
          ],
        },
      ],
    },
  },
  {
    // The packages' bin files: committed CommonJS shims that require the built command.
    files: ["*/bin/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
);
