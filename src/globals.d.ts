// Replaced at build time by tsup (and by vitest's define) with package.json's version.
declare const __VERSION__: string;
