import { fileURLToPath } from "node:url"
import { runCli, startCli, userErrorProblems } from "@taskjuice/intercom-testkit"
import { describe, expect, it, vi } from "vitest"
import { exitCodes } from "../src/index.ts"

const demo = fileURLToPath(new URL("./fixtures/demo.ts", import.meta.url))
const run = (...args: ReadonlyArray<string>) => runCli(demo, args)

vi.setConfig({ testTimeout: 120_000 })

describe("a user error", () => {
  it.each([
    [["greet", "Ada", "--times", "0"], '--times must be a whole number from 1 to 5, got "0"'],
    [["greet", "Ada", "--times", "abc"], '--times must be a whole number from 1 to 5, got "abc"'],
    [["greet", "Ada", "--tone", "lodu"], '--tone must be one of plain, loud, got "lodu"; did you mean loud?'],
    [
      ["greet", "Ada", "--tmes", "2"],
      "unknown flag --tmes for demo greet; did you mean --times? Valid flags: --times, --tone, --colour"
    ],
    [
      ["gret", "Ada"],
      'unknown command "gret" for demo; did you mean greet? Valid commands: greet, fail, crash, wait; see demo --help'
    ],
    [["greet"], "demo greet needs <name>; usage: demo greet [flags] <name>"],
    [["greet", "Ada", "Bob"], 'unexpected argument "Bob" for demo greet'],
    [
      ["greet", "Ada", "--colour", "rde"],
      'unknown colour "rde"; did you mean red? Valid colours: red, green, blue'
    ]
  ])("%j prints one line, no stack trace, exit 2", async (args, message) => {
    const result = await run(...args)
    expect(result.code).toBe(exitCodes.user_input)
    expect(userErrorProblems(result.stderr)).toEqual([])
    expect(result.stderr).toContain(`Error: ${message}`)
    expect(result.stdout).toBe("")
  })

  it("under --json is one JSON object with the category, the exit code, the suggestions and the choices", async () => {
    const result = await run("greet", "Ada", "--colour", "gren", "--json")
    expect(result.code).toBe(exitCodes.user_input)
    expect(userErrorProblems(result.stderr, { json: true })).toEqual([])
    expect(JSON.parse(result.stderr)).toEqual({
      error: {
        category: "user_input",
        exitCode: 2,
        message: 'unknown colour "gren"; did you mean green? Valid colours: red, green, blue',
        choices: ["red", "green", "blue"],
        suggestions: ["green"]
      }
    })
  })
})

describe("each error category is its exit code", () => {
  it.each(Object.entries(exitCodes).filter(([name]) => name !== "ok"))(
    "%s exits %i with one line",
    async (category, code) => {
      const result = await run("fail", "--category", category)
      expect(result.code).toBe(code)
      const [warning, error] = result.stderr.trimEnd().split("\n")
      expect(warning).toBe("Warning: about to fail")
      expect(error).toBe(`Error: failed as ${category}; pass another --category`)
    }
  )
})

describe("an internal error", () => {
  it("prints one line that says how to get the stack trace, and exits 1", async () => {
    const result = await run("crash")
    expect(result.code).toBe(exitCodes.internal)
    expect(userErrorProblems(result.stderr)).toEqual([])
    expect(result.stderr).toBe(
      "Error: internal error: an unexpected bug; run again with --debug for the stack trace\n"
    )
  })

  it("prints the stack trace with --debug", async () => {
    const result = await run("crash", "--debug")
    expect(result.code).toBe(exitCodes.internal)
    expect(result.stderr).toMatch(/^Error: internal error: an unexpected bug\n/)
    expect(result.stderr).toMatch(/\n\s+at .*demo\.ts/)
  })
})

describe("help", () => {
  it("with no arguments is printed and exits 2; --help exits 0; both list the exit codes", async () => {
    const bare = await run()
    const asked = await run("--help")
    expect(bare.code).toBe(exitCodes.user_input)
    expect(asked.code).toBe(exitCodes.ok)
    expect(bare.stdout).toBe(asked.stdout)
    for (const [name, code] of Object.entries(exitCodes)) {
      expect(asked.stdout).toMatch(new RegExp(`^ {2}${code} +${name} `, "m"))
    }
    expect(asked.stdout).toContain("--json")
  })

  it("of a command shows its examples and exit codes, and is data under --json", async () => {
    const text = await run("greet", "--help")
    expect(text.stdout).toContain("EXAMPLES\n  # twice\n  demo greet Ada --times 2")
    expect(text.stdout).toContain("EXIT CODES")
    const json = await run("greet", "--help", "--json")
    const help = JSON.parse(json.stdout).help
    expect(help.usage).toBe("demo greet [flags] <name>")
    expect(help.flags.map((flag: { name: string }) => flag.name)).toEqual(["--times", "--tone", "--colour"])
    expect(help.exitCodes).toEqual(exitCodes)
  })
})

describe("output", () => {
  it("is text, or one JSON object under --json", async () => {
    const text = await run("greet", "Ada", "--times", "2", "--tone", "loud")
    expect(text).toMatchObject({ code: 0, stdout: "HELLO, ADA!\nHELLO, ADA!\n", stderr: "" })
    const json = await run("greet", "Ada", "--json")
    expect(JSON.parse(json.stdout)).toEqual({ greeting: "Hello, Ada.", times: 1 })
  })

  it("a long-running command stops on SIGTERM and SIGINT with exit 0", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const running = startCli(demo, ["wait"])
      await running.waitForLine((line) => line === "ready")
      expect(await running.stop(signal)).toBe(0)
      expect(running.stderr()).toBe("")
    }
  })
})
