import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One file at a time: the load and fault-matrix files start many servers, and running them side by
    // side on a 2-core machine would only measure each other.
    fileParallelism: false,
    testTimeout: 300_000,
    // Hooks start host processes (three at a time, `serve` loading the sources), slow on a busy machine.
    hookTimeout: 300_000
  }
})
