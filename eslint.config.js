// One lint configuration for the whole workspace: typescript-eslint's
// recommended rules on sources and tests; compiled output is ignored.
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
);
