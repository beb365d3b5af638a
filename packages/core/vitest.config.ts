import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests start real servers and processes; on a busy 2-core machine 5 s turned them into timeouts.
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
