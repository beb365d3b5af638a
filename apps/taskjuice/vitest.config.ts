import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests start real servers and child processes; a busy machine must not turn them into timeouts.
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
