import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Generates every pinned version once, so that test files share the results.
    globalSetup: ["test/support/GenerateAll.ts"],
    // Regenerate runs generate and render steps as processes: 30 s was too little on a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000
  }
})
