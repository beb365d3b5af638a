import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generates every pinned version once, so that test files share the results.
    globalSetup: ["test/support/GenerateAll.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
