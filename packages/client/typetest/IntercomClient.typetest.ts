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

/** `call` takes the operation's own init and answers with its own data, from the operations table. */
export const callChecks = async () => {
  // @ts-expect-error no such operationId
  await client.call("ShowContacts", { params: { path: { contact_id: "1" } } })

  // @ts-expect-error ShowContact's path parameter is contact_id
  await client.call("ShowContact", { params: { path: { id: "1" } } })

  // @ts-expect-error CreateConversation requires from and body
  await client.call("createConversation", { body: { body: "hi" } })

  // listTags needs no init at all
  const tags = await client.call("listTags")
  const name: string | undefined = tags.data?.data?.[0]?.name

  const { data, status, rateLimit } = await client.call("ShowContact", {
    params: { path: { contact_id: "1" } }
  })
  const email: string | undefined = data?.email
  // @ts-expect-error the answer is typed: a contact's email is no number
  const notANumber: number | undefined = data?.email
  const remaining: number | undefined = rateLimit?.remaining
  return [name, email, notANumber, status, remaining]
}
