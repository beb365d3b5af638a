import * as Layer from "effect/Layer"
import { defaultInboxLimits } from "../src/index.ts"
import { stateContext } from "../src/internal/services.ts"
import { makeMemoryState } from "../src/memory/MemoryState.ts"
import { conformance } from "./conformance.ts"

conformance({
  name: "memory",
  persistent: false,
  // The workers of one memory world share one set of stores: the state of one process.
  world: async () => {
    const worlds = new Map<string, ReturnType<typeof makeMemoryState>>()
    return {
      layer: (options) => {
        const key = JSON.stringify(options?.limits ?? {})
        let parts = worlds.get(key)
        if (parts === undefined) {
          parts = makeMemoryState({ ...defaultInboxLimits, ...options?.limits })
          worlds.set(key, parts)
        }
        return Layer.succeedContext(stateContext(parts))
      }
    }
  }
})
