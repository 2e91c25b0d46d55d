import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { SupabaseProvider } from '../components/shell/supabase-provider.tsx';
import { readPublicSupabaseConfig } from '../lib/supabase/public-config.ts';
// In cascade order: the theme and frame first, then what builds on them.
import './globals.css';
import './dashboard.css';
import './forms.css';
import './activity.css';

export const metadata: Metadata = {
  title: 'PubDev — Team dashboard',
  description: 'Live presence, agent progress, team activity and notifications for PubDev teams',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

// Settings come from the environment of `next start` at request time (see public-config.ts).
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }: { children: ReactNode }) {
  const { url, anonKey } = readPublicSupabaseConfig();
  return (
    <html lang="en">
      <body>
        <SupabaseProvider settings={{ url, anonKey }}>{children}</SupabaseProvider>
      </body>
    </html>
  );
}
