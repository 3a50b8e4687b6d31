/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build goes into the Python package, where the Space serves it at "/".
// `npm run dev` proxies the API to a Space on :8080 (SYFT_API to change it).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../src/syft_space/web_dist",
    emptyOutDir: true,
  },
  server: {
    proxy: { "/api": process.env.SYFT_API ?? "http://127.0.0.1:8080" },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
