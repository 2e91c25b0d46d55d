/**
 * `npm run check:deploy [-- <function>]`: deploys the function (realtime-bridge by default) with
 * the real `supabase functions deploy --use-api` to a local stand-in of the Management API, prints
 * the uploaded files, checks they are every file the function imports, and type-checks them alone
 * with Deno as the platform would. Exits 1 when something the function needs is not uploaded.
 */
import { deployThroughStandIn, denoCheckUpload, functionSourceFiles } from './lib/deploy-check.ts';

const name = process.argv[2] ?? 'realtime-bridge';
const { upload } = await deployThroughStandIn(name);
const uploaded = [...upload.files.keys()].sort();
console.log(`supabase functions deploy ${name} --use-api uploaded ${uploaded.length} files:`);
for (const path of uploaded) console.log(`  ${path}`);
const needed = await functionSourceFiles(name);
const missing = needed.filter((path) => !upload.files.has(path));
if (missing.length > 0) {
  console.error(`not uploaded, though the function imports them:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
await denoCheckUpload(upload, name);
console.log('deno check of the uploaded files alone passes');
