'use client';
import Link from 'next/link';

/** What the list shows of a publisher (the live store's records and the server's first read both fit). */
export interface PublisherView {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly territory: string | null;
}

/** Publishers the user may see, with their live status; each links to its record page. */
export function PublisherList({ publishers }: { publishers: readonly PublisherView[] }) {
  return (
    <section className="card" aria-labelledby="publishers-title">
      <h2 id="publishers-title">Publishers</h2>
      <ul aria-label="Publishers" className="publishers">
        {publishers.map((p) => (
          <li key={p.id} data-publisher-id={p.id}>
            <Link href={`/publishers/${p.id}`}>{p.name}</Link>
            <span className={`badge badge-${p.status}`}>{p.status}</span>
            <span className="muted small">{p.territory ?? 'unassigned'}</span>
          </li>
        ))}
        {publishers.length === 0 && <li className="muted">No publishers visible</li>}
      </ul>
    </section>
  );
}
