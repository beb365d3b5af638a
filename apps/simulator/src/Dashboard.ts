/**
 * The dashboard `serve` shows at `/` (see `dashboard/Page.ts`), and its icon. `dashboardHtml` is the
 * page without an admin token, for a simulator that has none; a simulator with one serves
 * `dashboardPage({ adminToken })`, and answers `/favicon.ico` with `faviconResponse`.
 */
import { dashboardPage } from "./dashboard/Page.ts"

export { dashboardScript } from "./dashboard/Client.ts"
export { faviconContentType, faviconDataUrl, faviconResponse, faviconSvg } from "./dashboard/Favicon.ts"
export { type DashboardPageOptions, dashboardPage } from "./dashboard/Page.ts"

export const dashboardHtml: string = dashboardPage()
