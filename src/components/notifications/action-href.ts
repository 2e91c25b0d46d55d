/**
 * A notification's `actionUrl` as a link target, or null when it must not become one. Notifications
 * come from integrations and other people (through the bridge), so only a path of this site
 * (`/…`, not `//host`) or an http(s) URL is followed; `javascript:`, `data:` and the like stay text.
 */
export function actionHref(actionUrl: string | null): string | null {
  if (!actionUrl) return null;
  if (actionUrl.startsWith('/') && !actionUrl.startsWith('//') && !actionUrl.startsWith('/\\')) return actionUrl;
  try {
    const url = new URL(actionUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null;
  } catch {
    return null;
  }
}
