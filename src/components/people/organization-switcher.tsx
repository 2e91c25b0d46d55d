'use client';
import { useId } from 'react';
import { ORGANIZATION_COOKIE, ORGANIZATION_COOKIE_MAX_AGE_S } from '../../lib/organization-choice.ts';

export interface OrganizationOption {
  readonly organizationId: string;
  readonly organizationName: string;
}

/**
 * "Organisation" for people in several: remembers the choice in a cookie and opens the dashboard
 * of the one chosen (`/?org=<id>`, so the URL names it too). Nothing for people in one.
 */
export function OrganizationSwitcher({
  current,
  organizations,
}: {
  current: string;
  organizations: readonly OrganizationOption[];
}) {
  const id = useId();
  if (organizations.length < 2) return null;
  return (
    <span className="switcher">
      <label htmlFor={id}>Organisation</label>{' '}
      <select
        id={id}
        value={current}
        onChange={(e) => {
          const org = e.target.value;
          document.cookie = `${ORGANIZATION_COOKIE}=${org}; path=/; max-age=${ORGANIZATION_COOKIE_MAX_AGE_S}; samesite=lax`;
          window.location.assign(`/?org=${org}`);
        }}
      >
        {organizations.map((o) => (
          <option key={o.organizationId} value={o.organizationId}>
            {o.organizationName}
          </option>
        ))}
      </select>
    </span>
  );
}
