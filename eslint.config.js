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
    },
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
