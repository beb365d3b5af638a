/**
 * The dashboard's icon: an SVG speech bubble (Intercom's shape, the simulator's colours). The page
 * links it inline, so a browser never asks for `/favicon.ico`; `faviconResponse` answers that route
 * for clients that ask anyway: `HttpRouter.add("GET", "/favicon.ico", faviconResponse)`.
 */
import * as HttpServerResponse from "effect/http/HttpServerResponse"

export const faviconSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect width="32" height="32" rx="7" fill="#10162f"/>' +
  '<path d="M8 9.5A2.5 2.5 0 0 1 10.5 7h11A2.5 2.5 0 0 1 24 9.5v9a2.5 2.5 0 0 1-2.5 2.5H15l-4.5 4v-4h0A2.5 2.5 0 0 1 8 18.5z" fill="#4f7cff"/>' +
  '<path d="M12 15.5c2.2 1.6 5.8 1.6 8 0" stroke="#fff" stroke-width="1.6" fill="none" stroke-linecap="round"/>' +
  "</svg>"

export const faviconContentType = "image/svg+xml"

/** For `<link rel="icon" href=…>`: the icon inline, no request made. */
export const faviconDataUrl = `data:${faviconContentType},${encodeURIComponent(faviconSvg)}`

/** The answer to `GET /favicon.ico` (a browser accepts an SVG there; cached for a day). */
export const faviconResponse: HttpServerResponse.HttpServerResponse = HttpServerResponse.text(faviconSvg, {
  contentType: faviconContentType,
  headers: { "cache-control": "public, max-age=86400" }
})
