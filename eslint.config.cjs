// eslint for the addon's JavaScript (Odoo 18 ES modules: POS screens and
// Chromium tours); bin/lint runs it through .pre-commit-config.yaml.
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
    {ignores: ["node_modules/**", "bench/results/**"]},
    js.configs.recommended,
    {
        files: ["retail_customer_mgmt/static/**/*.js"],
        languageOptions: {
            ecmaVersion: 2024,
            sourceType: "module",
            globals: {...globals.browser, odoo: "readonly", owl: "readonly"},
        },
        rules: {
            "no-unused-vars": ["error", {args: "none"}],
            "no-console": ["error", {allow: ["warn", "error"]}],
            eqeqeq: ["error", "smart"],
            "prefer-const": "error",
            "no-var": "error",
        },
    },
    {
        files: ["eslint.config.cjs"],
        languageOptions: {sourceType: "commonjs", globals: globals.node},
    },
];
