// The import boundaries of docs/architecture.md, as `import-x/no-restricted-paths` zones.
// `target` is the importing files, `from` what they may not import. Two houses: the product (src/,
// supabase/) and the local stack (local-stack/, development infrastructure) never import each
// other, except that the local stack may use the message contract. Inside the product the arrows
// point one way: contract ← realtime ← react ← components ← app; server, lib and mcp sit beside them.

const PRODUCT_LAYERS = ['contract', 'realtime', 'react', 'server', 'components', 'app', 'lib', 'mcp'];

/** Zones forbidding `layer` to import each of `forbidden` (all under src/). */
function layer(name, forbidden, why) {
  return {
    target: `./src/${name}`,
    from: forbidden.map((other) => `./src/${other}`),
    message: `src/${name} may not import ${forbidden.map((f) => `src/${f}`).join(', ')}: ${why} (docs/architecture.md, "Which module may use which").`,
  };
}

const others = (...allowed) => PRODUCT_LAYERS.filter((l) => !allowed.includes(l));

export const BOUNDARY_ZONES = [
  {
    target: './src',
    from: './local-stack',
    message:
      'The product (src/) may not import the local stack (local-stack/): it is development infrastructure that ships to nobody. Take fixture ids from supabase/fixture.ts.',
  },
  {
    target: './src',
    from: ['./tests', './scripts'],
    message: 'The product (src/) may not import tests or scripts.',
  },
  {
    target: './local-stack',
    from: './src',
    except: ['./contract'],
    message:
      'The local stack may not import the product (src/), except the message contract: it stands in for Supabase and knows nothing of the code that talks to it.',
  },
  {
    target: './supabase',
    from: ['./src', './local-stack'],
    except: ['./contract'],
    message:
      'The Supabase project (migrations, edge functions, fixture) may import only src/contract: it deploys on its own.',
  },
  layer('contract', others('contract'), 'the contract is the shared vocabulary and does no I/O'),
  layer('realtime', others('contract', 'realtime'), 'the client core is framework-free and knows no UI'),
  layer('react', ['server', 'components', 'app', 'lib', 'mcp'], 'hooks are thin adapters over src/realtime'),
  layer('server', ['realtime', 'react', 'components', 'app', 'lib', 'mcp'], 'server helpers use only the contract'),
  layer('components', ['app', 'mcp'], 'components are used by pages, not the other way round'),
  layer('lib', ['react', 'components', 'app', 'mcp'], 'lib holds server-side helpers of the app'),
  layer('mcp', others('contract', 'mcp'), 'the MCP server stands alone beside the app and uses only the contract'),
];
