// The pages build into the directory the relay serves (--web-root; by
// default web/ beside the build's bin/). PANELWIRE_WEB_OUT says where.
import { defineConfig } from "vite";

export default defineConfig({
  // JSX through esbuild, for Preact: no Babel, no plugin.
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: process.env.PANELWIRE_WEB_OUT ?? "dist",
    emptyOutDir: true,
    // No CDN, no outside service: everything is bundled.
    assetsInlineLimit: 0,
  },
});
