// Copies the files of swagger-ui-dist that /api/docs uses into dist/apidocs,
// so the server embeds them with the app (server/apidocs.go) and the API
// reader fetches nothing from elsewhere.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const from = dirname(require.resolve('swagger-ui-dist/package.json'));
const to = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'apidocs');
mkdirSync(to, { recursive: true });
for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE']) {
  copyFileSync(join(from, f), join(to, f));
}
