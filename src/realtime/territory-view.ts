/**
 * Whether an item belongs in a view of one territory: that territory's items and the
 * organisation-wide ones (territory null), which concern every territory. With no territory
 * chosen, every item does. `useTeamUpdates({ territory })` and the dashboard's territory filter
 * both decide with this, so the hook and the page never disagree.
 */
export function inTerritoryView(item: { readonly territory: string | null }, territory: string | undefined): boolean {
  return territory === undefined || item.territory === null || item.territory === territory;
}
