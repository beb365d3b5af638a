/**
 * The dashboard's program, run by the browser. It is written here as one self-contained function,
 * typed against the DOM, and the page embeds its source (`dashboardScript`): no build step, no
 * dependency, and nothing outside the function may be referenced from inside it.
 *
 * It reads the admin API with the run's admin token (from the page's `sim-admin-token` meta tag),
 * follows `/_sim/events` over a streaming fetch (an EventSource cannot send the token), and polls the
 * state and `/_sim/stats` every two seconds for the live panels. Everything it shows is built with
 * `textContent`, so a payload can never inject markup.
 */
export function dashboardClient(): void {
  interface Delivery {
    readonly id: string
    readonly notificationId: string
    readonly topic: string
    readonly url: string
    readonly attempt: number
    readonly signature: string
    readonly status: number | null
    readonly ok: boolean
    readonly error: string | null
    readonly latencyMs: number
    readonly sentAt: number
    readonly retryAt: number | null
    readonly payloadBytes?: number
  }
  interface DeliveryRecord extends Delivery {
    readonly payload: string
    readonly responseBody: string
    readonly requestHeaders?: Readonly<Record<string, string>>
    readonly responseHeaders?: Readonly<Record<string, string>>
  }
  interface Subscription {
    readonly id: string
    readonly url: string
    readonly topics: ReadonlyArray<string> | "*"
    readonly active: boolean
    readonly disabledReason: string | null
    readonly throttledUntil: number | null
    readonly pausedUntil: number | null
  }
  interface State {
    readonly url: string
    readonly workspace?: { readonly id_code?: string; readonly name?: string }
    readonly apiVersion: string
    readonly seed: number
    readonly rateLimitPerMinute: number
    readonly counts: Readonly<Record<string, number>>
    readonly subscriptions: ReadonlyArray<Subscription>
    readonly faults: ReadonlyArray<string>
    readonly topics: ReadonlyArray<string>
  }
  interface StatsWindow {
    readonly start: number
    readonly requests: number
    readonly rateLimited: number
    readonly faults: number
  }
  interface Stats {
    readonly windowSeconds: number
    readonly windows: ReadonlyArray<StatsWindow>
    /** The requests a window allows, when the simulator says. */
    readonly allowance?: number
  }

  const keep = 500
  const pollMillis = 2000
  const countLabels: ReadonlyArray<readonly [string, string]> = [
    ["contacts", "contacts"],
    ["users", "users"],
    ["leads", "leads"],
    ["conversations", "conversations"],
    ["conversationParts", "conversation parts"],
    ["companies", "companies"],
    ["tags", "tags"],
    ["admins", "admins"]
  ]

  const rows = new Map<string, Delivery>()
  const records = new Map<string, DeliveryRecord>()
  let selected: string | undefined
  let topics: ReadonlyArray<string> = []

  const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
    const found = document.getElementById(id)
    if (found === null) throw new Error(`the page has no #${id}`)
    return found as T
  }

  const make = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    options: {
      readonly className?: string
      readonly text?: string
      readonly testId?: string
      readonly title?: string
      readonly data?: Readonly<Record<string, string>>
    } = {},
    children: ReadonlyArray<Node | string> = []
  ): HTMLElementTagNameMap[K] => {
    const element = document.createElement(tag)
    if (options.className !== undefined) element.className = options.className
    if (options.text !== undefined) element.textContent = options.text
    if (options.testId !== undefined) element.dataset.testid = options.testId
    if (options.title !== undefined) element.title = options.title
    for (const [key, value] of Object.entries(options.data ?? {})) element.dataset[key] = value
    element.append(...children)
    return element
  }

  const clock = (at: number): string => new Date(at).toLocaleTimeString([], { hour12: false })
  const inSeconds = (at: number): string => {
    const seconds = Math.round((at - Date.now()) / 1000)
    return seconds > 0 ? `in ${seconds} s` : `${-seconds} s ago`
  }
  const shortUrl = (url: string): string => {
    try {
      const parsed = new URL(url)
      return `${parsed.host}${parsed.pathname}`
    } catch {
      return url
    }
  }
  /** A URL that may wrap after its separators (`/`, `.`, `?`, `&`, `:`), never inside a word. */
  const breakable = (url: string): DocumentFragment => {
    const fragment = document.createDocumentFragment()
    for (const part of url.split(/(?<=[/.?&:=])/)) fragment.append(part, document.createElement("wbr"))
    return fragment
  }
  const pretty = (text: string): string => {
    try {
      return JSON.stringify(JSON.parse(text), null, 2)
    } catch {
      return text
    }
  }

  // ---- the admin API, with the run's token --------------------------------------------------------
  const token = document.querySelector<HTMLMetaElement>('meta[name="sim-admin-token"]')?.content ?? ""
  const headersFor = (withBody: boolean): Record<string, string> => ({
    accept: "application/json",
    ...(withBody ? { "content-type": "application/json" } : {}),
    ...(token === "" ? {} : { "X-Sim-Admin-Token": token })
  })
  const refused = (status: number) => {
    if (status !== 401 && status !== 403) return
    const banner = $("banner")
    banner.textContent = `The simulator refused this page's admin token (${status}): reload the page from the simulator's own URL.`
    banner.hidden = false
  }
  /** A JSON answer, or undefined for a 404 (an endpoint this simulator does not have). */
  const admin = async <T>(path: string, body?: unknown): Promise<T | undefined> => {
    const response = await fetch(path, {
      method: body === undefined ? "GET" : "POST",
      headers: headersFor(body !== undefined),
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    if (response.status === 404 && body === undefined) return undefined
    const json = (await response.json().catch(() => ({}))) as { error?: { message?: string } }
    if (!response.ok) {
      refused(response.status)
      throw new Error(json.error?.message ?? `${response.status} ${response.statusText}`)
    }
    return json as T
  }

  // ---- deliveries: the list, its filters ----------------------------------------------------------
  const statusFilters: ReadonlyArray<readonly [string, string, (d: Delivery) => boolean]> = [
    ["all", "Any status", () => true],
    ["ok", "Succeeded (2xx)", (d) => d.ok],
    ["failed", "Failed", (d) => !d.ok],
    ["4xx", "4xx", (d) => d.status !== null && d.status >= 400 && d.status < 500],
    ["5xx", "5xx", (d) => d.status !== null && d.status >= 500],
    ["none", "No answer / not sent", (d) => d.status === null],
    ["retry", "Retry scheduled", (d) => d.retryAt !== null && retriedBy(d) === undefined]
  ]

  const retriedBy = (d: Delivery): Delivery | undefined => {
    for (const other of rows.values()) {
      if (other.notificationId === d.notificationId && other.url === d.url && other.attempt === d.attempt + 1)
        return other
    }
    return undefined
  }

  const matches = (d: Delivery): boolean => {
    const topic = $<HTMLSelectElement>("filter-topic").value
    if (topic !== "" && d.topic !== topic) return false
    const status = $<HTMLSelectElement>("filter-status").value
    const statusFilter = statusFilters.find(([key]) => key === status)
    if (statusFilter !== undefined && !statusFilter[2](d)) return false
    const text = $<HTMLInputElement>("filter-text").value.trim().toLowerCase()
    if (text === "") return true
    const haystack = [
      d.topic,
      d.id,
      d.notificationId,
      d.url,
      d.error ?? "",
      String(d.status ?? "no answer"),
      d.signature
    ]
    return haystack.some((field) => field.toLowerCase().includes(text))
  }

  const badge = (d: Delivery): HTMLElement => {
    const waiting = d.status === null && d.retryAt !== null
    return make("span", {
      className: `badge ${d.ok ? "ok" : waiting ? "wait" : "bad"}`,
      text: d.status === null ? (waiting ? "wait" : "—") : String(d.status),
      testId: "delivery-status"
    })
  }

  const subline = (d: Delivery): string => {
    const parts = [`→ ${shortUrl(d.url)}`]
    if (d.error !== null) parts.push(d.error)
    const next = retriedBy(d)
    if (next !== undefined) parts.push(`retried as #${next.attempt}`)
    else if (d.retryAt !== null) parts.push(`retry ${clock(d.retryAt)}`)
    return parts.join(" · ")
  }

  const row = (d: Delivery): HTMLTableRowElement => {
    const resend = make("button", {
      className: "secondary",
      text: "Resend",
      testId: "resend",
      title: `Send ${d.notificationId} again`,
      data: { resend: d.notificationId }
    })
    return make(
      "tr",
      {
        className: `delivery${d.id === selected ? " selected" : ""}`,
        testId: "delivery",
        data: { id: d.id, notification: d.notificationId, attempt: String(d.attempt) }
      },
      [
        make("td", { text: clock(d.sentAt), title: new Date(d.sentAt).toISOString() }),
        make(
          "td",
          { className: "event", title: `${d.topic}\n${d.url}${d.error === null ? "" : `\n${d.error}`}` },
          [
            make("span", { className: "topic", text: d.topic, testId: "delivery-topic" }),
            make("span", { className: "sub", text: subline(d) })
          ]
        ),
        make("td", {}, [badge(d)]),
        make("td", { text: `${d.latencyMs.toFixed(1)} ms`, testId: "delivery-latency" }),
        make("td", { text: `#${d.attempt}` }),
        make("td", { className: "action" }, [resend])
      ]
    )
  }

  const renderDeliveries = () => {
    const all = [...rows.values()].sort((a, b) => b.sentAt - a.sentAt || b.attempt - a.attempt)
    const shown = all.filter(matches)
    const body = $("deliveries")
    body.replaceChildren(
      ...(shown.length === 0
        ? [
            make("tr", {}, [
              make("td", {
                className: "empty",
                text:
                  all.length === 0
                    ? "No deliveries yet: fire a topic, or change state through the API."
                    : "No delivery matches these filters."
              })
            ])
          ]
        : shown.map(row))
    )
    const empty = body.querySelector("td.empty")
    if (empty instanceof HTMLTableCellElement) empty.colSpan = 6
    $("shown").textContent = `showing ${shown.length} of ${all.length}`
  }

  const addDeliveries = (list: ReadonlyArray<Delivery>) => {
    for (const d of list) rows.set(d.id, d)
    // Bounded, like the simulator's own history: the oldest go first.
    if (rows.size > keep) {
      const oldest = [...rows.values()].sort((a, b) => a.sentAt - b.sentAt).slice(0, rows.size - keep)
      for (const d of oldest) rows.delete(d.id)
    }
    renderDeliveries()
    if (
      selected !== undefined &&
      list.some((d) => d.notificationId === rows.get(selected ?? "")?.notificationId)
    )
      void inspect(selected)
  }

  const fillSelect = (select: HTMLSelectElement, options: ReadonlyArray<readonly [string, string]>) => {
    const current = select.value
    select.replaceChildren(
      ...options.map(([value, label]) => {
        const option = make("option", { text: label })
        option.value = value
        return option
      })
    )
    if (options.some(([value]) => value === current)) select.value = current
  }

  // ---- the inspector ------------------------------------------------------------------------------
  const headerTable = (headers: Readonly<Record<string, string>>, testId: string): HTMLElement =>
    make(
      "table",
      { className: "headers", testId },
      Object.entries(headers).map(([name, value]) =>
        make("tr", {}, [make("td", { className: "name", text: name }), make("td", { text: value })])
      )
    )

  const section = (
    title: string,
    note: string,
    children: ReadonlyArray<Node>,
    actions: ReadonlyArray<Node> = []
  ): HTMLElement =>
    make("div", { className: "section" }, [
      make("div", { className: "section-head" }, [
        make("h4", { text: title }),
        make("span", { className: "note", text: note }),
        ...actions
      ]),
      ...children
    ])

  /** Pretty-printed JSON by default; the toggle shows the exact bytes that were sent (and signed). */
  const exactToggle = (block: HTMLElement, text: string): HTMLElement => {
    const toggle = make("button", { className: "secondary", text: "Exact bytes", testId: "exact-bytes" })
    toggle.addEventListener("click", () => {
      const exact = block.dataset.exact !== "true"
      block.dataset.exact = String(exact)
      block.textContent = exact ? text : pretty(text)
      toggle.textContent = exact ? "Pretty" : "Exact bytes"
    })
    return toggle
  }

  const fact = (label: string, value: string, testId: string): HTMLElement =>
    make("div", {}, [make("dt", { text: label }), make("dd", { text: value, testId })])

  const body = (text: string, testId: string): HTMLElement =>
    make("pre", { className: "code", text: text === "" ? "(empty)" : pretty(text), testId })

  const renderRecord = (record: DeliveryRecord) => {
    const next = retriedBy(record)
    const nextRetry =
      next !== undefined
        ? `done: #${next.attempt} at ${clock(next.sentAt)}`
        : record.retryAt !== null
          ? `${clock(record.retryAt)} (${inSeconds(record.retryAt)})`
          : "none"
    const resend = make("button", { className: "secondary", text: "Resend", testId: "inspector-resend" })
    resend.addEventListener("click", () => void resendNotification(record.notificationId))
    const copy = make("button", { className: "secondary", text: "Copy body", testId: "copy-body" })
    copy.addEventListener("click", () => {
      void navigator.clipboard?.writeText(record.payload).then(
        () => {
          copy.textContent = "Copied"
        },
        () => {
          copy.textContent = "Copy failed"
        }
      )
    })
    const requestHeaders =
      record.requestHeaders === undefined
        ? make("p", {
            className: "empty",
            testId: "request-headers-missing",
            text: `This simulator does not record request headers; it signs with ${record.signature} (X-Hub-Signature is sha1, X-Hub-Signature-256 is sha256).`
          })
        : headerTable(record.requestHeaders, "request-headers")
    const requestBody = body(record.payload, "payload")
    const responseBody = body(record.responseBody, "response-body")
    const responseHeaders =
      record.responseHeaders === undefined ? [] : [headerTable(record.responseHeaders, "response-headers")]
    $("inspector").replaceChildren(
      make("div", { className: "inspector-head" }, [
        make("h3", {}, [`${record.topic} `, badge(record)]),
        make("div", { className: "actions" }, [copy, resend])
      ]),
      make("p", { className: "ids mono", testId: "inspector-ids" }, [
        `${record.notificationId} · ${record.id} · POST `,
        breakable(record.url)
      ]),
      make("dl", { className: "facts" }, [
        fact("Status", record.status === null ? "no answer" : String(record.status), "fact-status"),
        fact("Latency", `${record.latencyMs.toFixed(1)} ms`, "fact-latency"),
        fact("Attempt", `#${record.attempt}`, "fact-attempt"),
        fact("Signature", record.signature, "fact-signature"),
        fact("Sent", new Date(record.sentAt).toISOString().slice(11, 23), "fact-sent"),
        fact("Next retry", nextRetry, "fact-retry"),
        ...(record.error === null ? [] : [fact("Why", record.error, "fact-error")])
      ]),
      section(
        "Request",
        `${record.payloadBytes ?? record.payload.length} bytes, signed as sent`,
        [requestHeaders, requestBody],
        [exactToggle(requestBody, record.payload)]
      ),
      section(
        "Response",
        record.status === null ? "no answer" : `HTTP ${record.status}`,
        [...responseHeaders, responseBody],
        [exactToggle(responseBody, record.responseBody)]
      )
    )
  }

  const inspect = async (id: string) => {
    selected = id
    for (const tr of document.querySelectorAll<HTMLTableRowElement>("tr.delivery"))
      tr.classList.toggle("selected", tr.dataset.id === id)
    try {
      const record =
        records.get(id) ?? (await admin<DeliveryRecord>(`/_sim/deliveries/${encodeURIComponent(id)}`))
      if (record === undefined) {
        $("inspector").replaceChildren(
          make("p", { className: "empty", text: "The simulator no longer keeps this delivery." })
        )
        return
      }
      records.set(id, record)
      if (selected === id) renderRecord(record)
    } catch (error) {
      $("inspector").replaceChildren(
        make("p", { className: "empty", text: `Could not load it: ${(error as Error).message}` })
      )
    }
  }

  // ---- actions ------------------------------------------------------------------------------------
  const say = (text: string) => {
    $("message").textContent = text
  }

  const fire = async () => {
    const topic = $<HTMLSelectElement>("topic").value
    say(`Firing ${topic}…`)
    try {
      const result = await admin<{ notifications: ReadonlyArray<{ deliveries: ReadonlyArray<Delivery> }> }>(
        "/_sim/trigger",
        { topic, signature: $<HTMLSelectElement>("signature").value }
      )
      const notifications = result?.notifications ?? []
      addDeliveries(notifications.flatMap((n) => n.deliveries))
      const sent = notifications.reduce((sum, n) => sum + n.deliveries.length, 0)
      say(
        sent === 0
          ? `Fired ${topic}, but nobody received it: subscribe a URL (serve --webhook-url, or ./dev sim listen).`
          : `Fired ${topic}: ${notifications.length} notification(s), ${sent} delivery attempt(s).`
      )
    } catch (error) {
      say(`Fire failed: ${(error as Error).message}`)
    }
  }

  const resendNotification = async (notificationId: string) => {
    say(`Resending ${notificationId}…`)
    try {
      const result = await admin<{ deliveries: ReadonlyArray<Delivery> }>(
        `/_sim/notifications/${encodeURIComponent(notificationId)}/resend`,
        {}
      )
      addDeliveries(result?.deliveries ?? [])
      say(`Resent ${notificationId} (${result?.deliveries.length ?? 0} attempt(s)).`)
    } catch (error) {
      say(`Resend failed: ${(error as Error).message}`)
    }
  }

  // ---- live panels --------------------------------------------------------------------------------
  const renderCounts = (counts: Readonly<Record<string, number>>) => {
    $("counts").replaceChildren(
      ...countLabels.map(([key, label]) =>
        make("span", { className: "count", testId: `count-${key}` }, [
          make("b", { text: String(counts[key] ?? 0) }),
          label
        ])
      )
    )
  }

  const subscriptionState = (s: Subscription): readonly [string, string] => {
    const now = Date.now()
    if (!s.active) return ["bad", `disabled: ${s.disabledReason ?? "by the receiver"}`]
    if (s.pausedUntil !== null && s.pausedUntil > now)
      return ["bad", `paused after too many errors until ${clock(s.pausedUntil)}`]
    if (s.throttledUntil !== null && s.throttledUntil > now)
      return ["wait", `throttled after a 429 until ${clock(s.throttledUntil)}`]
    return ["ok", "active"]
  }

  const renderSubscriptions = (subscriptions: ReadonlyArray<Subscription>) => {
    $("subscriptions").replaceChildren(
      ...(subscriptions.length === 0
        ? [
            make("li", {
              className: "empty",
              text: "none: serve --webhook-url URL, or ./dev sim listen --forward-to URL"
            })
          ]
        : subscriptions.map((s) => {
            const [tone, text] = subscriptionState(s)
            return make("li", { testId: "subscription", data: { id: s.id } }, [
              make("code", {}, [breakable(s.url)]),
              make("div", {
                className: `state ${tone}`,
                text: `${text} · ${s.topics === "*" ? "every topic" : s.topics.join(", ")}`
              })
            ])
          }))
    )
  }

  const renderFaults = (faults: ReadonlyArray<string>) => {
    $("faults").replaceChildren(
      ...(faults.length === 0
        ? [make("li", { className: "empty", text: "none: every request is answered normally" })]
        : faults.map((fault) => make("li", { testId: "fault" }, [make("code", { text: fault })])))
    )
  }

  const svg = <K extends keyof SVGElementTagNameMap>(
    tag: K,
    attributes: Readonly<Record<string, string | number>>,
    text?: string
  ): SVGElementTagNameMap[K] => {
    const element = document.createElementNS("http://www.w3.org/2000/svg", tag)
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
    if (text !== undefined) element.textContent = text
    return element
  }

  const renderStats = (stats: Stats | undefined) => {
    const chart = $("chart")
    // The last 30 windows up to now, each at its own place in time (a window without requests is a gap).
    const seconds = stats?.windowSeconds ?? 10
    const current = Math.floor(Date.now() / 1000 / seconds) * seconds
    const from = current - 29 * seconds
    const windows = (stats?.windows ?? []).filter((w) => w.start >= from)
    if (stats === undefined || windows.length === 0) {
      chart.dataset.state = stats === undefined ? "unavailable" : "empty"
      chart.replaceChildren(
        make("div", {
          className: "no-data",
          testId: "chart-no-data",
          text:
            stats === undefined
              ? "no data: this simulator does not report /_sim/stats"
              : "no data: no requests yet"
        })
      )
      return
    }
    chart.dataset.state = "bars"
    const width = 300
    const height = 120
    const top = Math.max(
      1,
      stats.allowance ?? 0,
      ...windows.map((w) => Math.max(w.requests, w.rateLimited + w.faults))
    )
    const slot = width / 30
    const bar = Math.max(1, slot / 2 - 1)
    const y = (value: number) => height - 14 - (value / top) * (height - 24)
    const picture = svg("svg", {
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": "requests, 429s and faults per window"
    })
    picture.append(svg("line", { x1: 0, x2: width, y1: height - 14, y2: height - 14, stroke: "#cdd3dd" }))
    if (stats.allowance !== undefined) {
      picture.append(
        svg("line", {
          x1: 0,
          x2: width,
          y1: y(stats.allowance),
          y2: y(stats.allowance),
          stroke: "#b42318",
          "stroke-dasharray": "4 3",
          "data-testid": "budget-line"
        }),
        svg(
          "text",
          { x: 2, y: y(stats.allowance) - 3, "font-size": 9, fill: "#b42318" },
          `budget ${stats.allowance}`
        )
      )
    }
    windows.forEach((w) => {
      const x = ((w.start - from) / seconds) * slot
      picture.append(
        svg("rect", {
          x,
          y: y(w.requests),
          width: bar,
          height: height - 14 - y(w.requests),
          fill: "#2f5cff",
          "data-testid": "bar-requests"
        }),
        svg("rect", {
          x: x + bar + 1,
          y: y(w.rateLimited),
          width: bar,
          height: height - 14 - y(w.rateLimited),
          fill: "#b42318",
          "data-testid": "bar-429"
        }),
        svg("rect", {
          x: x + bar + 1,
          y: y(w.rateLimited + w.faults),
          width: bar,
          height: y(w.rateLimited) - y(w.rateLimited + w.faults),
          fill: "#d08700"
        })
      )
    })
    picture.append(
      svg(
        "text",
        { x: width - 2, y: 10, "text-anchor": "end", "font-size": 9, fill: "#5f6b7e" },
        `max ${top}`
      )
    )
    const last = windows[windows.length - 1]
    chart.replaceChildren(
      picture,
      make("div", { className: "legend" }, [
        make("span", {}, [make("i"), "requests"]),
        make("span", {}, [make("i"), "429s"]),
        make("span", {}, [make("i"), "faults"]),
        make("span", {
          testId: "chart-last",
          text: `per ${stats.windowSeconds} s window; the last: ${last?.requests ?? 0} requests, ${last?.rateLimited ?? 0} 429s, ${last?.faults ?? 0} faults`
        })
      ])
    )
    const swatches = chart.querySelectorAll<HTMLElement>(".legend i")
    const colours = ["#2f5cff", "#b42318", "#d08700"]
    swatches.forEach((swatch, index) => {
      swatch.style.background = colours[index] ?? "#ccc"
    })
  }

  const refreshState = async () => {
    const state = await admin<State>("/_sim/state")
    if (state === undefined) return
    $("meta").textContent = [
      state.url,
      `Intercom-Version ${state.apiVersion} by default`,
      state.workspace?.id_code === undefined ? "" : `workspace ${state.workspace.id_code}`,
      `${state.rateLimitPerMinute} req/min`,
      `seed ${state.seed}`
    ]
      .filter((part) => part !== "")
      .join(" · ")
    renderCounts(state.counts)
    renderSubscriptions(state.subscriptions)
    renderFaults(state.faults)
    if (state.topics.join() !== topics.join()) {
      topics = state.topics
      fillSelect(
        $("topic"),
        topics.map((topic) => [topic, topic] as const)
      )
      fillSelect($("filter-topic"), [["", "Any topic"], ...topics.map((topic) => [topic, topic] as const)])
    }
  }

  const refreshStats = async () => {
    renderStats(await admin<Stats>("/_sim/stats").catch(() => undefined))
  }

  const poll = async () => {
    await Promise.all([refreshState().catch(() => undefined), refreshStats()])
    setTimeout(() => void poll(), pollMillis)
  }

  // ---- the event stream ---------------------------------------------------------------------------
  const setLive = (state: "live" | "down" | "connecting") => {
    const live = $("live")
    live.dataset.state = state
    live.textContent =
      state === "live" ? "live" : state === "down" ? "disconnected, retrying…" : "connecting…"
  }

  const onFrame = (frame: string) => {
    let event = "message"
    const data: Array<string> = []
    for (const line of frame.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim()
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""))
    }
    if (data.length === 0) return
    const payload = JSON.parse(data.join("\n")) as unknown
    if (event === "delivery") addDeliveries([payload as Delivery])
    else if (event === "state") renderCounts(payload as Record<string, number>)
  }

  const follow = async () => {
    let wait = 500
    for (;;) {
      try {
        const response = await fetch("/_sim/events", {
          headers: { ...headersFor(false), accept: "text/event-stream" }
        })
        if (!response.ok || response.body === null) {
          refused(response.status)
          throw new Error(`${response.status}`)
        }
        setLive("live")
        wait = 500
        // Whatever happened while the stream was down.
        void loadDeliveries()
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ""
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value.replace(/\r\n/g, "\n")
          for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
            onFrame(buffer.slice(0, end))
            buffer = buffer.slice(end + 2)
          }
        }
      } catch {
        // reconnect below
      }
      setLive("down")
      await new Promise((resolve) => setTimeout(resolve, wait))
      wait = Math.min(wait * 2, 5000)
    }
  }

  const loadDeliveries = async () => {
    const list = await admin<{ deliveries: ReadonlyArray<Delivery> }>(`/_sim/deliveries?limit=${keep}`)
    addDeliveries(list?.deliveries ?? [])
  }

  // ---- wiring -------------------------------------------------------------------------------------
  fillSelect(
    $("filter-status"),
    statusFilters.map(([key, label]) => [key, label] as const)
  )
  for (const id of ["filter-topic", "filter-status"]) $(id).addEventListener("change", renderDeliveries)
  $("filter-text").addEventListener("input", renderDeliveries)
  $("fire").addEventListener("click", () => void fire())
  $("deliveries").addEventListener("click", (event) => {
    const target = event.target as Element
    const button = target.closest<HTMLElement>("[data-resend]")
    if (button !== null) {
      event.stopPropagation()
      void resendNotification(button.dataset.resend ?? "")
      return
    }
    const tr = target.closest<HTMLTableRowElement>("tr.delivery")
    if (tr?.dataset.id === undefined) return
    void inspect(tr.dataset.id)
    // In one column the inspector is below the list: bring it up when it is out of sight.
    const inspector = $("inspector")
    if (inspector.getBoundingClientRect().top > window.innerHeight)
      inspector.scrollIntoView({ block: "start" })
  })

  void (async () => {
    setLive("connecting")
    await Promise.all([refreshState(), refreshStats(), loadDeliveries()]).catch((error: Error) =>
      say(`Could not load the simulator's state: ${error.message}`)
    )
    document.body.dataset.ready = "true"
    setTimeout(() => void poll(), pollMillis)
    void follow()
  })()
}

/** The program as the page embeds it. */
export const dashboardScript = `(${dashboardClient.toString()})()`
