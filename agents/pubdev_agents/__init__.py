"""PubDev agents: publish progress and results to PubDev through the Supabase client."""
