/**
 * The harness asking a lab process's admin endpoint (the mocks' counters, the API's cache
 * flush), with the lab's token when LAB_TOKEN is set. Every answer is checked: one that is
 * not 2xx is an error naming the process, what was asked, the status and the process's own
 * message, never a value read as if it had worked; and one that does not come within
 * ADMIN_TIMEOUT_MS (a role on another host that went away) is an error too, not a hang.
 */
import { labTokenHeaders } from '../../roles/protocol.ts'

/** The longest an admin request may take: far more than any takes (the calibration's rounds: about 1 s). */
const ADMIN_TIMEOUT_MS = 30_000

export async function askLabProcess(name: string, url: string, method: 'GET' | 'POST', doing: string, body?: unknown): Promise<unknown> {
  let text: string
  let response: Response
  try {
    const headers = labTokenHeaders()
    const signal = AbortSignal.timeout(ADMIN_TIMEOUT_MS)
    response = await fetch(
      url,
      body === undefined
        ? { method, headers, signal }
        : { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body), signal },
    )
    text = await response.text()
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${ADMIN_TIMEOUT_MS / 1000} s` : (error as Error).message
    throw new Error(`Could not ${doing}: the ${name} process did not answer at ${url} (${why}).`)
  }
  if (!response.ok) throw new Error(`Could not ${doing}: the ${name} process answered ${response.status}: ${messageOf(text)}`)
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new Error(
      `Could not ${doing}: the ${name} process answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
    )
  }
}

/** The `message` of a JSON error body, else the body itself. */
export function messageOf(body: string): string {
  try {
    return (JSON.parse(body) as { message?: string }).message ?? body
  } catch {
    return body
  }
}
