/**
 * The settings `npm start` reads and the ones the dashboard reads at request time: defaults for the
 * local stack, a hosted project through env only, and a message naming the variable that is wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { devSettingsFromEnv } from '../../scripts/lib/dev-env.ts';
import { LOCAL_ANON_KEY, LOCAL_SERVICE_ROLE_KEY } from '../../local-stack/keys.ts';
import { readPublicSupabaseConfig } from '../../src/lib/supabase/public-config.ts';

describe('npm start settings', () => {
  it('defaults to the local stack on 54321 and the dashboard on 127.0.0.1:3000 with the local keys', () => {
    expect(devSettingsFromEnv({})).toEqual({
      externalSupabaseUrl: null,
      anonKey: LOCAL_ANON_KEY,
      serviceRoleKey: LOCAL_SERVICE_ROLE_KEY,
      webPort: 3000,
      webHost: '127.0.0.1',
      stackPort: 54321,
      demoAgent: true,
    });
  });

  it('uses a project named by SUPABASE_URL with its keys, and counts empty values as unset', () => {
    const settings = devSettingsFromEnv({
      SUPABASE_URL: 'https://abcd.supabase.co/',
      SUPABASE_ANON_KEY: 'hosted-anon-key-0123456789',
      SUPABASE_SERVICE_ROLE_KEY: '',
      PORT: '8080',
    });
    expect(settings).toMatchObject({
      externalSupabaseUrl: 'https://abcd.supabase.co',
      anonKey: 'hosted-anon-key-0123456789',
      serviceRoleKey: null,
      webPort: 8080,
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => devSettingsFromEnv({ PORT: 'eighty' })).toThrow('PORT must be a port number');
    expect(() => devSettingsFromEnv({ PUBDEV_PORT: '70000' })).toThrow('PUBDEV_PORT must be 0..65535');
    expect(() => devSettingsFromEnv({ PUBDEV_DEMO_AGENT: 'no' })).toThrow('PUBDEV_DEMO_AGENT must be on or off');
    expect(devSettingsFromEnv({ PUBDEV_DEMO_AGENT: 'off' }).demoAgent).toBe(false);
    expect(() => devSettingsFromEnv({ SUPABASE_URL: 'abcd.supabase.co' })).toThrow(
      'SUPABASE_URL must be the URL of a Supabase project',
    );
    expect(() => devSettingsFromEnv({ SUPABASE_URL: 'https://abcd.supabase.co' })).toThrow(
      'SUPABASE_URL is set: set SUPABASE_ANON_KEY to the anon key of that project too',
    );
  });
});

describe('dashboard Supabase settings (read at request time)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
  const set = (env: Record<string, string | undefined>) => {
    for (const name of [
      'NEXT_PUBLIC_SUPABASE_URL',
      'NEXT_PUBLIC_SUPABASE_ANON_KEY',
      'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY',
      'SUPABASE_URL',
      'SUPABASE_ANON_KEY',
      'SUPABASE_SERVER_URL',
    ])
      delete process.env[name];
    Object.assign(process.env, env);
  };

  it('reads the browser URL, the server URL (defaulting to the browser one) and tells a local project', () => {
    set({ NEXT_PUBLIC_SUPABASE_URL: 'http://127.0.0.1:54321/', NEXT_PUBLIC_SUPABASE_ANON_KEY: LOCAL_ANON_KEY });
    expect(readPublicSupabaseConfig()).toEqual({
      url: 'http://127.0.0.1:54321',
      serverUrl: 'http://127.0.0.1:54321',
      anonKey: LOCAL_ANON_KEY,
      isLocal: true,
    });
    set({
      NEXT_PUBLIC_SUPABASE_URL: 'https://abcd.supabase.co',
      NEXT_PUBLIC_SUPABASE_ANON_KEY: LOCAL_ANON_KEY,
      SUPABASE_SERVER_URL: 'http://kong:8000',
    });
    expect(readPublicSupabaseConfig()).toMatchObject({
      url: 'https://abcd.supabase.co',
      serverUrl: 'http://kong:8000',
      isLocal: false,
    });
  });

  it('names the missing or invalid variable', () => {
    set({ NEXT_PUBLIC_SUPABASE_ANON_KEY: LOCAL_ANON_KEY });
    expect(() => readPublicSupabaseConfig()).toThrow('NEXT_PUBLIC_SUPABASE_URL is not set');
    set({ NEXT_PUBLIC_SUPABASE_URL: 'ftp://example.com', NEXT_PUBLIC_SUPABASE_ANON_KEY: LOCAL_ANON_KEY });
    expect(() => readPublicSupabaseConfig()).toThrow(
      'NEXT_PUBLIC_SUPABASE_URL must be an http(s) URL, e.g. http://127.0.0.1:54321',
    );
    set({ NEXT_PUBLIC_SUPABASE_URL: 'http://127.0.0.1:54321', NEXT_PUBLIC_SUPABASE_ANON_KEY: 'short' });
    expect(() => readPublicSupabaseConfig()).toThrow(
      'NEXT_PUBLIC_SUPABASE_ANON_KEY must be the anon or publishable key of the project',
    );
  });
});
