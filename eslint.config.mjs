// ESLint for the browser code (static/js/, native ES modules): `make test` runs it, as package-lock.json pins it.
import js from "@eslint/js";
import globals from "globals";

const TEXT_ONLY = "text from data reaches the page as text only: textContent or text nodes (never parsed as HTML)";
const TEXT_ONLY_RULES = {
  "no-restricted-properties": ["error",
    {property: "innerHTML", message: TEXT_ONLY},
    {property: "outerHTML", message: TEXT_ONLY},
    {property: "insertAdjacentHTML", message: TEXT_ONLY},
    {object: "document", property: "write", message: TEXT_ONLY}],
};

export default [
  {ignores: ["node_modules/", ".venv/", "build/"]},
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,  // what the browsers that run modules have understood for years
      sourceType: "module",
      // Leaflet and supercluster are the vendors' scripts (UMD builds, as Folium expects Leaflet): their globals
      globals: {...globals.browser, L: "readonly", Supercluster: "readonly"},
    },
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: "error",
      ...TEXT_ONLY_RULES,
      "no-restricted-syntax": ["error", {
        selector: "AssignmentExpression > MemberExpression.left[object.name='window']",
        message: "no globals: modules import each other; a map's script hands over its map by events (maps.js)",
      }],
    },
  },
  {
    // the office's workspace: one classic script (not a module), Leaflet's global beside the browser's
    files: ["static/office.js"],
    languageOptions: {ecmaVersion: 2020, sourceType: "script", globals: {...globals.browser, L: "readonly"}},
    rules: {eqeqeq: "error", ...TEXT_ONLY_RULES},
  },
];
