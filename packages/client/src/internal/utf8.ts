/**
 * A body's text as `fetch`'s `text()` reads it: UTF-8, a leading byte order mark dropped, a malformed
 * sequence read as U+FFFD. Through Buffer's own decoder, as undici's `body.text()` does: `TextDecoder`
 * wraps every view in a new Buffer first, which cost more than the decode of a small answer.
 */
export const textOf = (bytes: Uint8Array): string => {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return buffer.toString("utf8", start)
}
