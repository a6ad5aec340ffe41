/**
 * Headers of a download that depend on who embeds it (docs/security.md "Headers of a download"):
 * the front ends that may frame a preview, and whether the browser is loading the file into a frame.
 */

/**
 * `frame-ancestors` of a download: the application's own origin and the exact origins of
 * CORS_ALLOW_ORIGINS, nothing wider (`*` and `null`, which CORS never honours either, are dropped).
 * `sandbox` stays (docs/security.md §7): the file is shown as an opaque origin with no script, and
 * `'self'` still names this origin, because frame-ancestors matches the response URL's origin.
 */
export function downloadCsp(corsOrigins: readonly string[]): string {
  const ancestors = ["'self'", ...corsOrigins.filter((origin) => origin !== '*' && origin !== 'null')];
  return `default-src 'none'; sandbox; frame-ancestors ${ancestors.join(' ')}`;
}

/** Fetch Metadata destinations of a nested browsing context: the ones frame-ancestors governs. */
const FRAME_DESTINATIONS = new Set(['iframe', 'frame', 'embed', 'object']);

/**
 * `inline` when the browser loads the file into a frame (`Sec-Fetch-Dest: iframe`…), `attachment`
 * otherwise. A browser turns an `attachment` response in a frame into a download before it checks
 * frame-ancestors, so the front end's `<iframe>` preview would download the PDF instead of showing
 * it, whatever origin frames it. `inline` there lets the preview render for the allowed origins and
 * lets frame-ancestors refuse every other one. Navigations, links, `fetch` and clients that send no
 * Fetch Metadata keep `attachment`; an `<img>` ignores the disposition.
 */
export function dispositionFor(secFetchDest: string | string[] | undefined): 'inline' | 'attachment' {
  return typeof secFetchDest === 'string' && FRAME_DESTINATIONS.has(secFetchDest) ? 'inline' : 'attachment';
}
