/**
 * A browser stand-in for the OAuth hand-off, for the sandbox and the tests: it follows redirects by
 * hand and keeps the cookies each host sets, so the host's browser binding is exercised exactly as a
 * browser would (a cookie goes back only to the host that set it).
 */

export interface BrowserStep {
  readonly url: string
  readonly status: number
  readonly location: string | undefined
  readonly body: string
}

export interface Browser {
  /** GET `url`, then each redirect, up to `maxRedirects`; returns every step, the last one's body read. */
  readonly visit: (url: string, maxRedirects?: number) => Promise<ReadonlyArray<BrowserStep>>
  /** The cookies kept for a host (`host:port`), by name. */
  readonly cookies: (host: string) => ReadonlyMap<string, string>
}

export const makeBrowser = (): Browser => {
  const jar = new Map<string, Map<string, string>>()
  const keep = (host: string, setCookies: ReadonlyArray<string>) => {
    const cookies = jar.get(host) ?? new Map<string, string>()
    for (const line of setCookies) {
      const [pair] = line.split(";")
      const separator = pair?.indexOf("=") ?? -1
      if (pair === undefined || separator < 1) continue
      const name = pair.slice(0, separator).trim()
      const value = pair.slice(separator + 1).trim()
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") cookies.delete(name)
      else cookies.set(name, value)
    }
    jar.set(host, cookies)
  }
  const visit = async (start: string, maxRedirects = 5) => {
    const steps: Array<BrowserStep> = []
    let url = start
    for (let hop = 0; hop <= maxRedirects; hop++) {
      const target = new URL(url)
      const cookies = jar.get(target.host)
      const response = await fetch(url, {
        redirect: "manual",
        headers:
          cookies === undefined || cookies.size === 0
            ? {}
            : { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") },
        signal: AbortSignal.timeout(10_000)
      })
      keep(target.host, response.headers.getSetCookie())
      const location = response.headers.get("location") ?? undefined
      const body = await response.text()
      steps.push({ url, status: response.status, location, body })
      if (location === undefined || response.status < 300 || response.status >= 400) break
      url = new URL(location, url).toString()
    }
    return steps
  }
  return { visit, cookies: (host) => jar.get(host) ?? new Map() }
}
