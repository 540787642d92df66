// ESLint (flat config) for the hand-written JavaScript that valleymaps puts into its pages
// (src/valleymaps/render/templates/*.js). Run from tests/browser, where npm installs ESLint:
//   tests/browser/node_modules/.bin/eslint -c eslint.config.js src/valleymaps/render/templates
// tests/test_eslint.py runs it in the test suite.
"use strict";

const path = require("node:path");
const modules = path.join(__dirname, "tests", "browser", "node_modules");
const js = require(path.join(modules, "@eslint", "js"));
const globals = require(path.join(modules, "globals"));

module.exports = [
  {
    files: ["src/valleymaps/render/templates/**/*.js"],
    ...js.configs.recommended,
  },
  {
    files: ["src/valleymaps/render/templates/**/*.js"],
    languageOptions: {
      ecmaVersion: 2018, // what every browser a planner opens the atlas in runs
      sourceType: "script", // inlined into folium pages, not loaded as modules
      globals: {
        ...globals.browser,
        L: "readonly", // Leaflet, loaded by the folium page
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "all", caughtErrorsIgnorePattern: "^ignored$" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-implicit-globals": "error",
      "no-var": "off", // the templates are ES5-style IIFEs on purpose
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      "no-script-url": "error",
      // text from data files goes in with textContent, never as HTML
      "no-restricted-properties": [
        "error",
        { property: "innerHTML", message: "Set text with textContent; data text never becomes HTML." },
        { property: "outerHTML", message: "Set text with textContent; data text never becomes HTML." },
        { object: "document", property: "write", message: "Build elements with the DOM API." },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name='insertAdjacentHTML']",
          message: "Set text with textContent; data text never becomes HTML.",
        },
      ],
      curly: ["error", "all"],
      "no-shadow": "error",
      "no-use-before-define": ["error", { functions: false }],
    },
  },
];
