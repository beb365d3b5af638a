/**
 * Compile-time checks (run by `pnpm typecheck`): the generated types reject wrong paths,
 * wrong path-parameter names and wrong bodies.
 */
import { createIntercomClient } from "../src/index.ts"

const client = createIntercomClient({ accessToken: "t", baseUrl: "http://127.0.0.1:1" })

export const checks = async () => {
  // @ts-expect-error the 2.11 path parameter is contact_id, not id
  await client.GET("/contacts/{contact_id}", { params: { path: { id: "1" } } })

  // @ts-expect-error the path parameter is required
  await client.GET("/contacts/{contact_id}", { params: { path: {} } })

  // @ts-expect-error no such path
  await client.GET("/contact/{contact_id}", { params: { path: { contact_id: "1" } } })

  // @ts-expect-error create conversation requires from and body
  await client.POST("/conversations", { body: { body: "hi" } })

  // @ts-expect-error per_page is a number
  await client.GET("/contacts", { params: { query: { per_page: "150" } } })

  const { data } = await client.GET("/contacts/{contact_id}", { params: { path: { contact_id: "1" } } })
  const email: string | undefined = data?.email
  return email
}
